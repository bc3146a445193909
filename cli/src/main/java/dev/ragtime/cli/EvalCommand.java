package dev.ragtime.cli;

import dev.ragtime.app.Ragtime;
import dev.ragtime.eval.BeirDataset;
import dev.ragtime.eval.BeirEvaluation;
import dev.ragtime.eval.EvalCollection;
import dev.ragtime.eval.EvalProtocol;
import dev.ragtime.eval.EvalReport;
import dev.ragtime.eval.FusionTuner;
import dev.ragtime.eval.IndexingSummary;
import dev.ragtime.eval.MetricScores;
import dev.ragtime.eval.ModeResult;
import dev.ragtime.eval.QueryLists;
import dev.ragtime.ingest.IngestProgress;
import dev.ragtime.search.SearchConfig;
import dev.ragtime.search.SearchMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code ragtime eval --dataset DIR}. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = {
      "Measure retrieval quality on a BEIR-format dataset (corpus.jsonl, queries.jsonl,"
          + " qrels/<split>.tsv): nDCG@10, Recall@100, MRR@10 and MAP@100 per search mode, as"
          + " trec_eval defines them.",
      "By default each document is indexed whole as title + \" \" + text (the BEIR/MTEB protocol,"
          + " comparable with published numbers); --chunked uses Ragtime's real ingestion instead.",
      "The corpus is indexed into a scratch collection eval-<dataset>-<protocol>-<hash> of the data"
          + " directory and kept, so a repeated evaluation re-uses it and only embeds the queries."
    })
final class EvalCommand implements Callable<Integer> {
  /** Documents per list fetched for fusion tuning (the grid's deepest candidate setting). */
  private static final int TUNING_DEPTH = 300;

  private static final List<SearchMode> ALL_MODES =
      List.of(SearchMode.BM25, SearchMode.VECTOR, SearchMode.HYBRID);

  @ParentCommand Main main;

  @Spec CommandSpec spec;

  @Option(
      names = "--dataset",
      required = true,
      paramLabel = "DIR",
      description = "The BEIR dataset folder.")
  Path dataset;

  @Option(
      names = {"-m", "--mode"},
      defaultValue = "all",
      paramLabel = "MODE",
      description = "bm25, vector, hybrid, or all (default); several separated by commas.")
  String mode;

  @Option(
      names = "--split",
      defaultValue = "test",
      description = "Which qrels/<split>.tsv to evaluate (default: ${DEFAULT-VALUE}).")
  String split;

  @Option(
      names = "--chunked",
      description =
          "Evaluate Ragtime's real ingestion: chunking, chunk embeddings, a document scored by its"
              + " best chunk.")
  boolean chunked;

  @Option(names = "--json", description = "Print one JSON object on stdout.")
  boolean json;

  @Option(
      names = "--tune",
      hidden = true,
      description =
          "Grid-search the hybrid fusion settings on --tune-split and report them on --split.")
  boolean tune;

  @Option(
      names = "--tune-split",
      hidden = true,
      defaultValue = "train",
      description = "The split fusion settings are tuned on (default: ${DEFAULT-VALUE}).")
  String tuneSplit;

  @Override
  public Integer call() {
    List<SearchMode> modes = modes();
    if (tune && tuneSplit.equals(split)) {
      throw new ParameterException(
          spec.commandLine(),
          "--tune-split and --split must differ: tune on one split, report on another");
    }
    BeirDataset evaluated = BeirDataset.load(dataset, split);
    EvalProtocol protocol = chunked ? EvalProtocol.CHUNKED : EvalProtocol.BEIR;
    try (Ragtime rt = main.ragtime()) {
      BeirEvaluation evaluation = rt.evaluation();
      main.err.printf(
          Locale.ROOT,
          "ragtime: indexing %s (%s protocol) into collection %s%n",
          evaluated.name(),
          protocol.label(),
          evaluation.collectionName(evaluated, protocol));
      main.err.flush();
      var progress = new IngestProgress();
      EvalCollection collection;
      try (var display = IngestCommand.progressDisplay(main, rt, progress)) {
        collection = evaluation.open(evaluated, protocol, progress);
        display.finish();
      }
      try (EvalCollection c = collection) {
        printIndexing(c.indexing());
        if (tune) {
          tune(c, evaluated, rt.config().search());
        } else {
          EvalReport report = c.evaluate(evaluated, modes, rt.config().search());
          if (json) {
            main.out.println(Json.write(toJson(report)));
          } else {
            printHuman(report);
          }
        }
      }
    }
    return 0;
  }

  private List<SearchMode> modes() {
    Set<SearchMode> modes = new LinkedHashSet<>();
    for (String m : mode.split(",")) {
      if (m.isBlank()) {
        continue;
      }
      if (m.strip().equalsIgnoreCase("all")) {
        modes.addAll(ALL_MODES);
        continue;
      }
      try {
        modes.add(SearchMode.parse(m));
      } catch (IllegalArgumentException e) {
        throw new ParameterException(
            spec.commandLine(),
            "unknown mode '" + m.strip() + "'; expected bm25, vector, hybrid or all");
      }
    }
    if (modes.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "--mode names no mode");
    }
    return List.copyOf(modes);
  }

  // ---------------------------------------------------------------------------------------------
  // Report

  static Map<String, Object> toJson(EvalReport report) {
    var out = new LinkedHashMap<String, Object>();
    out.put("dataset", report.dataset());
    out.put("split", report.split());
    out.put("queries", report.queries());
    out.put("chunked", report.chunked());
    var modes = new LinkedHashMap<String, Object>();
    report.modes().forEach((mode, result) -> modes.put(mode.label(), toJson(result)));
    out.put("modes", modes);
    return out;
  }

  private static Map<String, Object> toJson(ModeResult r) {
    var m = metrics(r.scores());
    m.put("searchP50Ms", round(r.searchP50Ms()));
    m.put("searchP99Ms", round(r.searchP99Ms()));
    return m;
  }

  private static LinkedHashMap<String, Object> metrics(MetricScores s) {
    var m = new LinkedHashMap<String, Object>();
    m.put("ndcg@10", s.ndcgAt10());
    m.put("recall@100", s.recallAt100());
    m.put("mrr@10", s.mrrAt10());
    m.put("map@100", s.mapAt100());
    return m;
  }

  private static double round(double ms) {
    return Math.round(ms * 1000) / 1000.0;
  }

  private void printIndexing(IndexingSummary s) {
    main.err.printf(
        Locale.ROOT,
        "ragtime: %s: %d documents (%d indexed, %d unchanged, %d skipped, %d removed), %d texts"
            + " embedded, %d chunks, %.1fs%n",
        s.collection(),
        s.documents(),
        s.written(),
        s.unchanged(),
        s.skipped(),
        s.removed(),
        s.embedded(),
        s.chunks(),
        s.elapsed().toMillis() / 1000.0);
    main.err.flush();
  }

  private void printHuman(EvalReport r) {
    var out = main.out;
    out.printf(
        Locale.ROOT,
        "%s, split %s, %d queries, %s%n",
        r.dataset(),
        r.split(),
        r.queries(),
        r.chunked()
            ? "chunked (Ragtime ingestion, document = best chunk)"
            : "BEIR protocol (whole documents, title + text)");
    out.printf(
        Locale.ROOT,
        "%-7s %8s %11s %7s %8s %8s %8s%n",
        "mode",
        "nDCG@10",
        "Recall@100",
        "MRR@10",
        "MAP@100",
        "p50 ms",
        "p99 ms");
    for (ModeResult m : r.modes().values()) {
      MetricScores s = m.scores();
      out.printf(
          Locale.ROOT,
          "%-7s %8.4f %11.4f %7.4f %8.4f %8.1f %8.1f%n",
          m.mode().label(),
          s.ndcgAt10(),
          s.recallAt100(),
          s.mrrAt10(),
          s.mapAt100(),
          m.searchP50Ms(),
          m.searchP99Ms());
    }
    if (r.modes().containsKey(SearchMode.HYBRID)) {
      out.println("hybrid fusion: " + describe(r.search()));
    }
  }

  static String describe(SearchConfig c) {
    return switch (c.fusion()) {
      case RRF ->
          String.format(
              Locale.ROOT,
              "rrf-k %d, candidates %d, lexical-weight %s, vector-weight %s",
              c.rrfK(),
              c.candidates(),
              c.lexicalWeight(),
              c.vectorWeight());
      case SCORE ->
          String.format(
              Locale.ROOT,
              "score, bm25 share %.2f, %s, candidates %d",
              c.scoreWeight(),
              c.normalization().label(),
              c.candidates());
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Tuning (hidden)

  private void tune(EvalCollection c, BeirDataset evaluated, SearchConfig current) {
    BeirDataset tuning = evaluated.withSplit(tuneSplit);
    long start = System.nanoTime();
    List<QueryLists> tuneLists = c.lists(tuning, TUNING_DEPTH);
    List<QueryLists> evalLists = c.lists(evaluated, TUNING_DEPTH);
    List<FusionTuner.Trial> rrfTrials =
        FusionTuner.grid(
            tuneLists,
            FusionTuner.DEFAULT_RRF_KS,
            FusionTuner.DEFAULT_VECTOR_WEIGHTS,
            FusionTuner.DEFAULT_CANDIDATES);
    List<FusionTuner.Trial> scoreTrials =
        FusionTuner.scoreGrid(
            tuneLists,
            FusionTuner.DEFAULT_SCORE_WEIGHTS,
            FusionTuner.DEFAULT_NORMALIZATIONS,
            FusionTuner.DEFAULT_CANDIDATES);
    // The current and the two tuned settings are measured by real searches on both splits; the
    // grid rows are the tuner's re-fusions of the fetched lists.
    Map<String, SearchConfig> measured = new LinkedHashMap<>();
    measured.put("current", current);
    measured.put("tunedRrf", rrfTrials.get(0).config());
    measured.put("tunedScore", scoreTrials.get(0).config());
    Map<String, MetricScores[]> real = new LinkedHashMap<>();
    for (Map.Entry<String, SearchConfig> e : measured.entrySet()) {
      real.put(
          e.getKey(),
          new MetricScores[] {
            c.evaluate(tuning, SearchMode.HYBRID, e.getValue()).scores(),
            c.evaluate(evaluated, SearchMode.HYBRID, e.getValue()).scores()
          });
    }
    double seconds = (System.nanoTime() - start) / 1e9;

    if (json) {
      var out = new LinkedHashMap<String, Object>();
      out.put("dataset", evaluated.name());
      out.put("tuneSplit", tuneSplit);
      out.put("split", split);
      out.put("chunked", chunked);
      out.put("grid", rrfTrials.size() + scoreTrials.size());
      for (Map.Entry<String, SearchConfig> e : measured.entrySet()) {
        var m = setting(e.getValue());
        m.put(tuneSplit, metrics(real.get(e.getKey())[0]));
        m.put(split, metrics(real.get(e.getKey())[1]));
        out.put(e.getKey(), m);
      }
      out.put("rrf", rows(rrfTrials.subList(0, Math.min(20, rrfTrials.size())), evalLists));
      out.put("score", rows(scoreTrials, evalLists));
      main.out.println(Json.write(out));
      return;
    }
    var out = main.out;
    out.printf(
        Locale.ROOT,
        "%s: %d fusion settings tuned on %s (%d queries), reported on %s (%d queries), %s, %.0fs%n",
        evaluated.name(),
        rrfTrials.size() + scoreTrials.size(),
        tuneSplit,
        tuning.queries().size(),
        split,
        evaluated.queries().size(),
        chunked ? "chunked" : "BEIR protocol",
        seconds);
    out.printf(
        Locale.ROOT,
        "%-64s %12s %12s%n",
        "hybrid setting (real searches)",
        "nDCG@10 " + tuneSplit,
        "nDCG@10 " + split);
    for (Map.Entry<String, SearchConfig> e : measured.entrySet()) {
      out.printf(
          Locale.ROOT,
          "%-64s %12.4f %12.4f%n",
          e.getKey() + ": " + describe(e.getValue()),
          real.get(e.getKey())[0].ndcgAt10(),
          real.get(e.getKey())[1].ndcgAt10());
    }
    printTop("reciprocal rank fusion", rrfTrials, evalLists);
    printTop("score fusion", scoreTrials, evalLists);
  }

  private void printTop(String what, List<FusionTuner.Trial> trials, List<QueryLists> evalLists) {
    main.out.println(
        what + ", best on " + tuneSplit + " (re-fused from lists " + TUNING_DEPTH + " deep):");
    for (FusionTuner.Trial t : trials.subList(0, Math.min(20, trials.size()))) {
      main.out.printf(
          Locale.ROOT,
          "  %-62s %12.4f %12.4f%n",
          describe(t.config()),
          t.scores().ndcgAt10(),
          FusionTuner.score(evalLists, t.config()).ndcgAt10());
    }
  }

  private List<Map<String, Object>> rows(
      List<FusionTuner.Trial> trials, List<QueryLists> evalLists) {
    var rows = new ArrayList<Map<String, Object>>(trials.size());
    for (FusionTuner.Trial t : trials) {
      var m = setting(t.config());
      m.put(tuneSplit, metrics(t.scores()));
      m.put(split, metrics(FusionTuner.score(evalLists, t.config())));
      rows.add(m);
    }
    return rows;
  }

  private static LinkedHashMap<String, Object> setting(SearchConfig c) {
    var m = new LinkedHashMap<String, Object>();
    m.put("fusion", c.fusion().label());
    m.put("candidates", c.candidates());
    switch (c.fusion()) {
      case RRF -> {
        m.put("rrfK", c.rrfK());
        m.put("lexicalWeight", c.lexicalWeight());
        m.put("vectorWeight", c.vectorWeight());
      }
      case SCORE -> {
        m.put("scoreWeight", c.scoreWeight());
        m.put("normalization", c.normalization().label());
      }
    }
    return m;
  }
}
