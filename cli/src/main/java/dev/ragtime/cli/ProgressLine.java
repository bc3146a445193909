package dev.ragtime.cli;

import java.util.Locale;

/**
 * Formats one line of ingest progress. Pure: the caller supplies counters and elapsed time.
 *
 * <p>On a terminal the line is redrawn in place ({@code \r}); elsewhere the same text is printed as
 * an occasional log line.
 */
final class ProgressLine {
  private static final int BAR_WIDTH = 24;

  private ProgressLine() {}

  /**
   * @param done documents finished
   * @param total documents expected, or negative when unknown
   * @param chunks chunks written
   * @param elapsedNanos time since the run started
   * @param extra pipeline figures appended as-is (may be empty)
   */
  static String format(long done, long total, long chunks, long elapsedNanos, String extra) {
    double seconds = Math.max(elapsedNanos / 1e9, 1e-3);
    double chunkRate = chunks / seconds;
    var sb = new StringBuilder();
    if (total > 0) {
      double frac = Math.min(1.0, (double) done / total);
      int filled = (int) Math.round(frac * BAR_WIDTH);
      sb.append('[')
          .append("#".repeat(filled))
          .append(".".repeat(BAR_WIDTH - filled))
          .append("] ")
          .append(String.format(Locale.ROOT, "%3d%% ", Math.round(frac * 100)));
      sb.append(done).append('/').append(total).append(" docs");
    } else {
      sb.append(done).append(" docs");
    }
    sb.append(", ").append(chunks).append(" chunks, ");
    sb.append(String.format(Locale.ROOT, "%.1f chunks/s", chunkRate));
    if (total > 0 && done > 0 && done < total) {
      double docRate = done / seconds;
      sb.append(", ETA ").append(duration((long) ((total - done) / docRate)));
    }
    if (!extra.isEmpty()) {
      sb.append(", ").append(extra);
    }
    return sb.toString();
  }

  static String duration(long seconds) {
    if (seconds < 60) {
      return seconds + "s";
    }
    if (seconds < 3600) {
      return (seconds / 60) + "m" + String.format(Locale.ROOT, "%02d", seconds % 60) + "s";
    }
    return (seconds / 3600) + "h" + String.format(Locale.ROOT, "%02d", (seconds % 3600) / 60) + "m";
  }
}
