package dev.ragtime.bench.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragtime.bench.measure.CpuMeter;
import dev.ragtime.bench.measure.Options;
import dev.ragtime.onnx.LocalModel;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * Runs one contender of {@link LocalEmbeddingBenchmark} in a JVM of its own and writes an {@link
 * EmbeddingRunResult}. Started by the benchmark; not meant to be run by hand.
 *
 * <p>Arguments: {@code --contender ragtime|langchain4j|ragtime-pipeline|plain --batch N --spinning
 * true|false --round N --label L --workload FILE --result FILE --native-dir DIR --scratch DIR}.
 */
public final class LocalEmbeddingRun {
  static final int SAMPLE_EVERY = 50;

  private LocalEmbeddingRun() {}

  public static void main(String[] args) throws Exception {
    Options o =
        Options.parse(
            args,
            Set.of(
                "--contender",
                "--batch",
                "--spinning",
                "--round",
                "--label",
                "--workload",
                "--result",
                "--native-dir",
                "--model",
                "--scratch"),
            Set.of());
    String label = o.string("--label", o.string("--contender", "?"));
    int round = o.integer("--round", 1);
    Path result = o.path("--result", "result.json");
    EmbeddingRunResult r;
    try {
      r = run(o, label, round);
    } catch (Exception | Error e) {
      StringWriter trace = new StringWriter();
      e.printStackTrace(new PrintWriter(trace));
      System.err.println(trace);
      r = EmbeddingRunResult.failed(label, round, String.valueOf(e));
    }
    new ObjectMapper().writeValue(result.toFile(), r);
    // LangChain4j's pool threads would keep the JVM alive for their keep-alive time.
    System.exit(0);
  }

  private static EmbeddingRunResult run(Options o, String label, int round) throws Exception {
    EmbeddingWorkload workload = EmbeddingWorkload.read(o.path("--workload", "workload.tsv"));
    Path nativeDir = o.path("--native-dir", "bench/target/issue4/native");
    long loadStart = System.nanoTime();
    try (Embedder embedder = create(o, nativeDir)) {
      double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
      List<String> warmup = workload.warmup();
      embedder.embed(warmup, IntStream.range(0, warmup.size()).toArray());

      var cpu = CpuMeter.start();
      long start = System.nanoTime();
      List<float[]> vectors = embedder.embed(workload.texts(), workload.documents());
      double seconds = (System.nanoTime() - start) / 1e9;
      var usage = CpuMeter.since(cpu);

      if (vectors.size() != workload.texts().size()) {
        throw new IllegalStateException(
            vectors.size() + " vectors for " + workload.texts().size() + " texts");
      }
      Map<Integer, float[]> samples = new TreeMap<>();
      for (int i = 0; i < vectors.size(); i++) {
        float[] v = vectors.get(i);
        double norm = 0;
        for (float x : v) {
          norm += x * x;
        }
        if (v.length != 384 || Math.abs(norm - 1) > 1e-3) {
          throw new IllegalStateException("vector " + i + " is not a unit vector of 384");
        }
        if (i % SAMPLE_EVERY == 0) {
          samples.put(i, v);
        }
      }
      System.out.printf(
          "%s: %d texts in %.2f s, %.1f texts/s (%s)%n",
          label, vectors.size(), seconds, vectors.size() / seconds, usage.describe());
      return new EmbeddingRunResult(
          label,
          round,
          embedder.settings(),
          workload.texts().size(),
          workload.totalWordPieces(),
          loadSeconds,
          seconds,
          embedder.inferenceSeconds(),
          usage.ownCores(),
          usage.otherCores(),
          usage.loadAverage(),
          samples,
          "");
    }
  }

  private static Embedder create(Options o, Path nativeDir) throws Exception {
    String contender = o.string("--contender", "");
    LocalModel model = LocalModel.parse(o.string("--model", LocalModel.DEFAULT.settingName()));
    if (model != LocalModel.DEFAULT && !List.of("ragtime", "langchain4j").contains(contender)) {
      throw new IllegalArgumentException(
          "--model "
              + model.settingName()
              + " is measured by the ragtime and langchain4j contenders");
    }
    return switch (contender) {
      case "ragtime" -> new RagtimeOnnx(model, nativeDir);
      case "langchain4j" -> new LangChain4jLocal(model);
      case "ragtime-pipeline" ->
          new RagtimePipeline(nativeDir, o.path("--scratch", "bench/target/issue4/tmp"));
      case "plain" ->
          new PlainOnnxLoop(
              o.integer("--batch", 32), Boolean.parseBoolean(o.string("--spinning", "false")));
      default ->
          throw new IllegalArgumentException(
              "contender must be ragtime, langchain4j, ragtime-pipeline or plain; was '"
                  + contender
                  + "'");
    };
  }
}
