package dev.ragtime.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Formats results as plain-text and Markdown tables. Pure. */
final class Report {
  private Report() {}

  /**
   * One representative run per (scenario, contender), in first-seen order: the run with the median
   * throughput (the lower middle for an even count), so every figure in a row comes from one real
   * run.
   */
  static List<RunResult> medians(List<RunResult> all) {
    Map<String, List<RunResult>> groups = new LinkedHashMap<>();
    for (RunResult r : all) {
      groups
          .computeIfAbsent(r.scenario() + "\u0000" + r.contender(), k -> new ArrayList<>())
          .add(r);
    }
    List<RunResult> out = new ArrayList<>();
    for (List<RunResult> runs : groups.values()) {
      List<RunResult> sorted = new ArrayList<>(runs);
      sorted.sort(Comparator.comparingDouble(RunResult::tokensPerSecond));
      out.add(sorted.get((sorted.size() - 1) / 2));
    }
    return out;
  }

  /** Lowest and highest throughput over the runs of one (scenario, contender). */
  static double[] spread(List<RunResult> all, String scenario, String contender) {
    double lo = Double.MAX_VALUE;
    double hi = 0;
    for (RunResult r : all) {
      if (r.scenario().equals(scenario) && r.contender().equals(contender)) {
        lo = Math.min(lo, r.tokensPerSecond());
        hi = Math.max(hi, r.tokensPerSecond());
      }
    }
    return new double[] {lo, hi};
  }

  private static final String[] HEADERS = {
    "contender",
    "wall s",
    "tokens/s",
    "ceiling tok/s",
    "% of ceiling",
    "tokens/request",
    "requests",
    "429s (% of req.)",
    "5xx + resets",
    "other 4xx",
    "retries",
    "lost texts",
    "connections",
    "throughput vs Ragtime"
  };

  /** The rows of one scenario as a table body (one array of cells per row). */
  static List<String[]> rows(List<RunResult> medians, String scenario) {
    Optional<RunResult> ragtime =
        medians.stream()
            .filter(r -> r.scenario().equals(scenario) && r.contender().equals("ragtime"))
            .findFirst();
    List<String[]> rows = new ArrayList<>();
    for (RunResult r : medians) {
      if (!r.scenario().equals(scenario)) {
        continue;
      }
      String ratio =
          ragtime
              .filter(g -> g.tokensPerSecond() > 0)
              .map(g -> fmt("%.2f×", r.tokensPerSecond() / g.tokensPerSecond()))
              .orElse("–");
      rows.add(
          new String[] {
            r.contender(),
            fmt("%.1f", r.wallSeconds()),
            fmt("%,.0f", r.tokensPerSecond()),
            r.ceiling() > 0 ? fmt("%,.0f", r.ceiling()) : "–",
            r.ceiling() > 0 ? fmt("%.1f%%", 100 * r.shareOfCeiling()) : "–",
            r.tokensPerRequest() > 0 ? fmt("%,.0f", r.tokensPerRequest()) : "–",
            fmt("%,d", r.requests()),
            fmt("%,d (%.1f%%)", r.throttled(), 100 * r.throttledShare()),
            fmt("%,d", r.serverErrors() + r.resets()),
            fmt("%,d", r.rejected()),
            r.clientRetries() >= 0 ? fmt("%,d", r.clientRetries()) : "n/a",
            fmt("%,d / %,d", r.lost(), r.texts()),
            fmt("%,d", r.connections()),
            ratio
          });
    }
    return rows;
  }

  /** A fixed-width text table. */
  static String text(List<String[]> rows) {
    int[] width = new int[HEADERS.length];
    for (int c = 0; c < HEADERS.length; c++) {
      width[c] = HEADERS[c].length();
      for (String[] row : rows) {
        width[c] = Math.max(width[c], row[c].length());
      }
    }
    StringBuilder out = new StringBuilder();
    appendLine(out, HEADERS, width);
    String[] rule = new String[HEADERS.length];
    for (int c = 0; c < rule.length; c++) {
      rule[c] = "-".repeat(width[c]);
    }
    appendLine(out, rule, width);
    for (String[] row : rows) {
      appendLine(out, row, width);
    }
    return out.toString();
  }

  private static void appendLine(StringBuilder out, String[] cells, int[] width) {
    for (int c = 0; c < cells.length; c++) {
      if (c > 0) {
        out.append("  ");
      }
      String cell = cells[c];
      String pad = " ".repeat(width[c] - cell.length());
      out.append(c == 0 ? cell + pad : pad + cell);
    }
    out.append('\n');
  }

  /** A Markdown table. */
  static String markdown(List<String[]> rows) {
    StringBuilder out = new StringBuilder();
    out.append("| ").append(String.join(" | ", HEADERS)).append(" |\n");
    out.append("|").append(" --- |".repeat(HEADERS.length)).append('\n');
    for (String[] row : rows) {
      out.append("| ").append(String.join(" | ", row)).append(" |\n");
    }
    return out.toString();
  }

  static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
