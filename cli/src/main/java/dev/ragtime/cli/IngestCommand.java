package dev.ragtime.cli;

import dev.ragtime.app.Ragtime;
import dev.ragtime.document.JsonlCorpus;
import dev.ragtime.embed.PipelineStats;
import dev.ragtime.index.Index;
import dev.ragtime.ingest.CorpusSources;
import dev.ragtime.ingest.FileSources;
import dev.ragtime.ingest.IngestProgress;
import dev.ragtime.ingest.IngestReport;
import dev.ragtime.ingest.Ingestor;
import dev.ragtime.ingest.SourceScan;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code ragtime ingest PATH…}. */
@Command(
    name = "ingest",
    mixinStandardHelpOptions = true,
    description = {
      "Ingest files and directories (recursively): .txt .md .html .htm .pdf.",
      "A .jsonl or .jsonl.gz file named directly is read as a corpus of {\"_id\",\"title\",\"text\"} records.",
      "Unchanged documents are skipped; changed ones are replaced atomically."
    })
final class IngestCommand implements Callable<Integer> {

  @ParentCommand Main main;

  @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files or directories to ingest.")
  List<Path> paths;

  @Option(
      names = {"-c", "--collection"},
      defaultValue = "default",
      description = "Collection to ingest into (default: ${DEFAULT-VALUE}).")
  String collection;

  @Option(
      names = "--prune",
      description =
          "Delete documents of the collection that are no longer found in the given paths.")
  boolean prune;

  @Option(names = "--json", description = "Print one JSON summary object on stdout.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    for (Path p : paths) {
      if (!java.nio.file.Files.exists(p)) {
        // A mistyped path on the command line is a usage mistake, not a document to report.
        throw new IllegalArgumentException(
            "no such file or directory: " + p + " (nothing was ingested)");
      }
    }
    try (Ragtime rt = main.ragtime();
        Index index = rt.openCollection(collection)) {
      var progress = new IngestProgress();
      IngestReport report;
      try (var display = progressDisplay(main, rt, progress)) {
        report = ingest(rt, index, progress);
        display.finish();
      } catch (Ingestor.IndexWriteException e) {
        // What was committed before the failure stays: say what that is, then fail the command.
        e.report().ifPresent(r -> print(rt, r, Optional.of(e.getMessage())));
        throw e;
      }
      print(rt, report, Optional.empty());
      return 0;
    }
  }

  private void print(Ragtime rt, IngestReport report, Optional<String> error) {
    if (json) {
      var summary = summary(report);
      rt.pipelineStats().ifPresent(s -> summary.put("pipeline", pipeline(s)));
      error.ifPresent(message -> summary.put("error", message));
      main.out.println(Json.write(summary));
    } else {
      printHuman(report);
    }
  }

  private IngestReport ingest(Ragtime rt, Index index, IngestProgress progress) throws Exception {
    var corpora = new ArrayList<Path>();
    var files = new ArrayList<Path>();
    for (Path p : paths) {
      String name = p.getFileName() == null ? "" : p.getFileName().toString();
      if (name.endsWith(".jsonl") || name.endsWith(".jsonl.gz")) {
        corpora.add(p);
      } else {
        files.add(p);
      }
    }
    if (!corpora.isEmpty() && !files.isEmpty()) {
      throw new IllegalArgumentException(
          "ingest either JSONL corpora or files and directories in one run, not both");
    }
    if (corpora.size() > 1) {
      throw new IllegalArgumentException("ingest one JSONL corpus per run; got " + corpora.size());
    }
    if (!corpora.isEmpty()) {
      Path file = corpora.get(0);
      long total = JsonlCorpus.countLines(file);
      try (JsonlCorpus corpus = JsonlCorpus.open(file)) {
        IngestReport r =
            rt.ingestor(index)
                .ingest(
                    CorpusSources.of(corpus, file.toString()),
                    total,
                    SourceScan.empty(),
                    prune,
                    progress);
        return withMalformed(r, corpus, file);
      }
    }
    SourceScan scan = FileSources.scan(files, rt.parsers());
    return rt.ingestor(index)
        .ingest(scan.documents().iterator(), scan.documents().size(), scan, prune, progress);
  }

  /** The progress output of an ingestion: documents and chunks, with live pipeline figures. */
  static ProgressDisplay progressDisplay(Main main, Ragtime rt, IngestProgress progress) {
    return new ProgressDisplay(
        main.err,
        main.terminal,
        progress,
        () -> rt.pipelineStats().map(IngestCommand::figures).orElse(""));
  }

  /** Live pipeline figures for the progress line. */
  static String figures(PipelineStats s) {
    return String.format(
        Locale.ROOT,
        "in-flight %d, requests %d, 429s %d, retries %d, cache hits %d",
        s.inFlight(),
        s.requests(),
        s.rateLimited(),
        s.retries(),
        s.cacheHits());
  }

  static Map<String, Object> pipeline(PipelineStats s) {
    var m = new LinkedHashMap<String, Object>();
    m.put("requests", s.requests());
    m.put("embeddedTexts", s.embeddedTexts());
    m.put("cacheHits", s.cacheHits());
    m.put("coalesced", s.coalesced());
    m.put("rateLimited", s.rateLimited());
    m.put("retries", s.retries());
    m.put("splits", s.splits());
    m.put("failovers", s.failovers());
    m.put("failures", s.failures());
    m.put("tokens", s.tokens());
    return m;
  }

  /** Malformed corpus lines are failures too: the user must see which lines were not ingested. */
  private static IngestReport withMalformed(IngestReport r, JsonlCorpus corpus, Path file) {
    if (corpus.malformedCount() == 0) {
      return r;
    }
    var failures = new ArrayList<>(r.failures());
    for (JsonlCorpus.MalformedLine m : corpus.malformed()) {
      failures.add(new IngestReport.Failure(file + ":" + m.lineNumber(), m.problem()));
    }
    long unlisted = corpus.malformedCount() - corpus.malformed().size();
    if (unlisted > 0) {
      failures.add(
          new IngestReport.Failure(
              file.toString(), unlisted + " more malformed lines (only the first are listed)"));
    }
    return new IngestReport(
        r.documents() + corpus.malformedCount(),
        r.chunks(),
        r.embedded(),
        r.unchanged(),
        r.failed() + corpus.malformedCount(),
        failures,
        r.skipped(),
        r.pruned(),
        r.elapsed());
  }

  static Map<String, Object> summary(IngestReport r) {
    var m = new LinkedHashMap<String, Object>();
    m.put("documents", r.documents());
    m.put("chunks", r.chunks());
    m.put("embedded", r.embedded());
    m.put("unchanged", r.unchanged());
    m.put("failed", r.failed());
    m.put("failures", failures(r.failures()));
    m.put("skipped", failures(r.skipped()));
    m.put("pruned", r.pruned());
    m.put("elapsedMs", r.elapsed().toMillis());
    return m;
  }

  private static List<Map<String, String>> failures(List<IngestReport.Failure> list) {
    var out = new ArrayList<Map<String, String>>();
    for (var f : list) {
      out.add(Map.of("path", f.path(), "reason", f.reason()));
    }
    return out;
  }

  private void printHuman(IngestReport r) {
    var out = main.out;
    double secs = Math.max(r.elapsed().toNanos() / 1e9, 1e-3);
    out.printf(
        Locale.ROOT,
        "ingested into '%s': %d documents (%d unchanged, %d failed), %d chunks written, %d embedded"
            + " in %.1fs (%.1f chunks/s)%n",
        collection,
        r.documents(),
        r.unchanged(),
        r.failed(),
        r.chunks(),
        r.embedded(),
        secs,
        r.chunks() / secs);
    if (r.pruned() > 0) {
      out.printf(Locale.ROOT, "pruned %d vanished documents%n", r.pruned());
    }
    for (var f : r.failures()) {
      out.printf(Locale.ROOT, "  failed  %s: %s%n", f.path(), f.reason());
    }
    for (var f : r.skipped()) {
      out.printf(Locale.ROOT, "  skipped %s: %s%n", f.path(), f.reason());
    }
  }
}
