package dev.ragtime.bench.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ragtime.bench.measure.ChildJvm;
import dev.ragtime.bench.measure.CpuMeter;
import dev.ragtime.bench.measure.Options;
import dev.ragtime.bench.measure.Samples;
import dev.ragtime.onnx.LocalModel;
import dev.ragtime.onnx.OnnxEmbeddingModel;
import dev.ragtime.onnx.OnnxModelConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Local embedding throughput (issue 4): Ragtime's ONNX runner, Ragtime's full embedding pipeline in
 * front of it, LangChain4j's {@code AllMiniLmL6V2EmbeddingModel} and a plain ONNX Runtime loop at a
 * sweep of batch sizes, all embedding the same SciFact chunks (each under 128 word-pieces, see
 * {@link EmbeddingWorkload}). Every run is a fresh JVM; a round runs every contender once, in an
 * order that rotates from round to round, so slow phases of a shared machine fall on all of them.
 * Ratios are computed within a round and their median reported. See docs/BENCHMARKS.md.
 */
public final class LocalEmbeddingBenchmark {
  private static final String USAGE =
      """
      Usage: java -cp <bench classpath> dev.ragtime.bench.local.LocalEmbeddingBenchmark [options]
        --corpus FILE            BEIR corpus.jsonl (default ../shared/data/beir/scifact/corpus.jsonl)
        --texts N                chunks embedded per run (default 1500)
        --warmup N               further chunks embedded before the clock starts (default 128)
        --max-word-pieces N      chunk budget in word-pieces (default 120: < 128 with [CLS], [SEP])
        --rounds N               rounds; each runs every contender once (default 3)
        --contenders LIST        of ragtime, langchain4j, ragtime-pipeline, plain (default all)
        --plain-batches LIST     batch sizes of the plain loop (default 8,16,32,64)
        --plain-spinning BOOL    let ONNX Runtime's idle threads spin in the plain loop (default false)
        --out DIR                results and logs (default bench/target/issue4/local-embedding)
        --native-dir DIR         natives of the local model (default bench/target/issue4/native)
        --model NAME             local.model to measure (ragtime, langchain4j contenders only):
                                 all-minilm-l6-v2 (default), all-minilm-l6-v2-q, bge-small-en-v1.5
        --child-jvm-args ARGS    JVM options of each run (default "-Xms1g -Xmx2g")
      """;

  private LocalEmbeddingBenchmark() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    if (List.of(args).contains("--help")) {
      out.print(USAGE);
      return;
    }
    Options o =
        Options.parse(
            args,
            Set.of(
                "--corpus",
                "--texts",
                "--warmup",
                "--max-word-pieces",
                "--rounds",
                "--contenders",
                "--plain-batches",
                "--plain-spinning",
                "--out",
                "--native-dir",
                "--model",
                "--child-jvm-args"),
            Set.of());
    Path corpus = o.path("--corpus", "../shared/data/beir/scifact/corpus.jsonl");
    Path outDir = o.path("--out", "bench/target/issue4/local-embedding").toAbsolutePath();
    Path nativeDir = o.path("--native-dir", "bench/target/issue4/native").toAbsolutePath();
    int rounds = o.integer("--rounds", 3);
    String model = o.string("--model", LocalModel.DEFAULT.settingName());
    boolean spinning = Boolean.parseBoolean(o.string("--plain-spinning", "false"));
    List<String> jvmArgs = List.of(o.string("--child-jvm-args", "-Xms1g -Xmx2g").split("\\s+"));

    EmbeddingWorkload workload;
    try (OnnxEmbeddingModel tokenizerOnly =
        OnnxEmbeddingModel.load(OnnxModelConfig.defaults(LocalModel.parse(model), nativeDir))) {
      workload =
          EmbeddingWorkload.fromCorpus(
              corpus,
              o.integer("--texts", 1500),
              o.integer("--warmup", 128),
              o.integer("--max-word-pieces", 120),
              tokenizerOnly.tokenCounter());
    }
    Files.createDirectories(outDir);
    Path workloadFile = outDir.resolve("workload.tsv");
    workload.write(workloadFile);
    out.printf(
        Locale.ROOT,
        "workload: %,d SciFact chunks, %,d word-pieces (mean %.1f, max %d; + [CLS], [SEP]),"
            + " warm-up %d further chunks%n",
        workload.texts().size(),
        workload.totalWordPieces(),
        workload.totalWordPieces() / (double) workload.texts().size(),
        workload.maxWordPieces(),
        workload.warmup().size());
    out.printf(
        "machine: %d cores, %s %s; one fresh JVM per run %s; load now %.1f%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"),
        jvmArgs,
        CpuMeter.loadAverage());

    List<Entry> entries = new ArrayList<>();
    for (String c : o.list("--contenders", "ragtime,langchain4j,ragtime-pipeline,plain")) {
      if (c.equals("plain")) {
        for (int b : o.integers("--plain-batches", "8,16,32,64")) {
          entries.add(new Entry("plain-b" + b, "plain", b));
        }
      } else {
        entries.add(new Entry(c, c, 0));
      }
    }

    List<EmbeddingRunResult> all = new ArrayList<>();
    Instant started = Instant.now();
    for (int round = 1; round <= rounds; round++) {
      for (int k = 0; k < entries.size(); k++) {
        Entry e = entries.get((k + round - 1) % entries.size());
        EmbeddingRunResult r =
            runOnce(e, round, workloadFile, outDir, nativeDir, spinning, model, jvmArgs);
        all.add(r);
        if (r.ok()) {
          out.printf(
              Locale.ROOT,
              "  round %d %-17s %6.1f texts/s %8.0f word-pieces/s  %5.1f s  load %4.1f s%s  (%s)%n",
              round,
              r.label(),
              r.textsPerSecond(),
              r.wordPiecesPerSecond(),
              r.seconds(),
              r.loadSeconds(),
              Double.isNaN(r.inferenceSeconds())
                  ? ""
                  : String.format(
                      Locale.ROOT,
                      "  ORT run alone %.1f texts/s",
                      r.texts() / r.inferenceSeconds()),
              String.format(
                  Locale.ROOT,
                  "own %.2f cores, others %.2f, load %.1f",
                  r.ownCores(),
                  r.otherCores(),
                  r.loadAverage()));
        } else {
          out.printf("  round %d %-17s FAILED: %s%n", round, r.label(), r.error());
        }
      }
    }

    String report = Report.build(workload, entries, all, rounds, started, jvmArgs);
    out.println();
    out.print(report);
    Files.writeString(outDir.resolve("results.md"), report);
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(outDir.resolve("results.json").toFile(), all);
    out.printf("%nresults: %s and results.json%n", outDir.resolve("results.md"));
  }

  /** One contender configuration: a label, the contender kind and (for plain) a batch size. */
  record Entry(String label, String contender, int batch) {}

  private static EmbeddingRunResult runOnce(
      Entry e,
      int round,
      Path workload,
      Path outDir,
      Path nativeDir,
      boolean spinning,
      String model,
      List<String> jvmArgs)
      throws IOException, InterruptedException {
    Path result = outDir.resolve("runs").resolve(round + "-" + e.label() + ".json");
    Files.createDirectories(result.getParent());
    Files.deleteIfExists(result);
    List<String> args =
        List.of(
            "--contender", e.contender(),
            "--batch", Integer.toString(Math.max(1, e.batch())),
            "--spinning", Boolean.toString(spinning),
            "--round", Integer.toString(round),
            "--label", e.label(),
            "--workload", workload.toString(),
            "--result", result.toString(),
            "--native-dir", nativeDir.toString(),
            "--model", model,
            "--scratch", outDir.resolve("scratch").toString());
    int exit =
        ChildJvm.run(
            jvmArgs,
            LocalEmbeddingRun.class.getName(),
            args,
            outDir.resolve("scratch"),
            outDir.resolve("logs").resolve(round + "-" + e.label() + ".log"),
            Duration.ofMinutes(30));
    if (!Files.isRegularFile(result)) {
      return EmbeddingRunResult.failed(e.label(), round, "exit " + exit + ", no result");
    }
    return new ObjectMapper().readValue(result.toFile(), EmbeddingRunResult.class);
  }

  /** The summary: medians per contender, ratios within rounds, agreement of vectors. */
  static final class Report {
    private Report() {}

    static String build(
        EmbeddingWorkload workload,
        List<Entry> entries,
        List<EmbeddingRunResult> all,
        int rounds,
        Instant started,
        List<String> jvmArgs) {
      StringBuilder md = new StringBuilder();
      md.append(
          fmt(
              "Run %s, %d round(s); %,d SciFact chunks (%,d word-pieces, mean %.1f, max %d);"
                  + " %d cores, %s %s; fresh JVM per run %s.%n%n",
              started,
              rounds,
              workload.texts().size(),
              workload.totalWordPieces(),
              workload.totalWordPieces() / (double) workload.texts().size(),
              workload.maxWordPieces(),
              Runtime.getRuntime().availableProcessors(),
              System.getProperty("java.vm.name"),
              System.getProperty("java.version"),
              jvmArgs));
      Map<String, List<EmbeddingRunResult>> byLabel = new LinkedHashMap<>();
      for (Entry e : entries) {
        byLabel.put(e.label(), new ArrayList<>());
      }
      for (EmbeddingRunResult r : all) {
        if (r.ok()) {
          byLabel.get(r.label()).add(r);
        }
      }
      String bestPlain = null;
      double bestPlainMedian = -1;
      for (var en : byLabel.entrySet()) {
        if (en.getKey().startsWith("plain-") && !en.getValue().isEmpty()) {
          double m = medianRate(en.getValue());
          if (m > bestPlainMedian) {
            bestPlainMedian = m;
            bestPlain = en.getKey();
          }
        }
      }
      md.append(
          "| contender | texts/s (median) | range | word-pieces/s | ONNX Runtime run alone, texts/s"
              + " | load s | others' cores (median) | vs langchain4j | vs "
              + (bestPlain == null ? "plain" : bestPlain)
              + " |\n");
      md.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
      for (var en : byLabel.entrySet()) {
        List<EmbeddingRunResult> runs = en.getValue();
        if (runs.isEmpty()) {
          md.append("| ").append(en.getKey()).append(" | failed | | | | | | | |\n");
          continue;
        }
        double[] rates = runs.stream().mapToDouble(EmbeddingRunResult::textsPerSecond).toArray();
        double[] pieces =
            runs.stream().mapToDouble(EmbeddingRunResult::wordPiecesPerSecond).toArray();
        double[] inference =
            runs.stream()
                .filter(r -> !Double.isNaN(r.inferenceSeconds()))
                .mapToDouble(r -> r.texts() / r.inferenceSeconds())
                .toArray();
        md.append(
            fmt(
                "| %s | %.1f | %.1f–%.1f | %,.0f | %s | %.1f | %.2f | %s | %s |%n",
                en.getKey(),
                Samples.median(rates),
                Samples.min(rates),
                Samples.max(rates),
                Samples.median(pieces),
                inference.length == 0 ? "–" : fmt("%.1f", Samples.median(inference)),
                Samples.median(
                    runs.stream().mapToDouble(EmbeddingRunResult::loadSeconds).toArray()),
                Samples.median(runs.stream().mapToDouble(EmbeddingRunResult::otherCores).toArray()),
                ratio(all, en.getKey(), "langchain4j"),
                bestPlain == null ? "–" : ratio(all, en.getKey(), bestPlain)));
      }
      md.append(
          "\nRatios are medians of the ratio within each round (range in brackets); a round runs"
              + " every contender once, in rotated order.\n");
      md.append("\nSettings:\n");
      for (var en : byLabel.entrySet()) {
        if (!en.getValue().isEmpty()) {
          md.append("- ").append(en.getKey()).append(": ");
          md.append(en.getValue().get(0).settings()).append('\n');
        }
      }
      md.append(agreement(all));
      return md.toString();
    }

    /** Median (and range) over rounds of rate(a) / rate(b) in the same round. */
    static String ratio(List<EmbeddingRunResult> all, String a, String b) {
      if (a.equals(b)) {
        return "1.00×";
      }
      List<Double> ratios = new ArrayList<>();
      for (EmbeddingRunResult ra : all) {
        for (EmbeddingRunResult rb : all) {
          if (ra.ok()
              && rb.ok()
              && ra.round() == rb.round()
              && ra.label().equals(a)
              && rb.label().equals(b)) {
            ratios.add(ra.textsPerSecond() / rb.textsPerSecond());
          }
        }
      }
      if (ratios.isEmpty()) {
        return "–";
      }
      double[] r = ratios.stream().mapToDouble(Double::doubleValue).toArray();
      return fmt("%.2f× (%.2f–%.2f)", Samples.median(r), Samples.min(r), Samples.max(r));
    }

    /** The lowest cosine between any contender's sample vector and the first Ragtime run's. */
    static String agreement(List<EmbeddingRunResult> all) {
      EmbeddingRunResult reference =
          all.stream().filter(r -> r.ok() && r.label().equals("ragtime")).findFirst().orElse(null);
      if (reference == null) {
        return "\nNo Ragtime run to compare vectors with.\n";
      }
      StringBuilder sb =
          new StringBuilder("\nAgreement with Ragtime's vectors (lowest cosine over");
      sb.append(fmt(" %d sampled texts):", reference.sampleVectors().size()));
      Map<String, Double> lowest = new LinkedHashMap<>();
      for (EmbeddingRunResult r : all) {
        if (!r.ok()) {
          continue;
        }
        for (var e : reference.sampleVectors().entrySet()) {
          float[] other = r.sampleVectors().get(e.getKey());
          double cos = other == null ? Double.NaN : dot(e.getValue(), other);
          lowest.merge(r.label(), cos, Math::min);
        }
      }
      lowest.forEach((label, cos) -> sb.append(fmt(" %s %.6f;", label, cos)));
      return sb.append('\n').toString();
    }

    private static double medianRate(List<EmbeddingRunResult> runs) {
      return Samples.median(
          runs.stream().mapToDouble(EmbeddingRunResult::textsPerSecond).toArray());
    }

    private static double dot(float[] a, float[] b) {
      double s = 0;
      for (int i = 0; i < a.length; i++) {
        s += (double) a[i] * b[i];
      }
      return s;
    }

    private static String fmt(String format, Object... args) {
      return String.format(Locale.ROOT, format, args);
    }
  }
}
