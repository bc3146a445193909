package dev.ragtime.bench.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ragtime.app.Ragtime;
import dev.ragtime.app.RagtimeConfig;
import dev.ragtime.bench.measure.Options;
import dev.ragtime.bench.measure.Samples;
import dev.ragtime.bench.measure.Scratch;
import dev.ragtime.config.Settings;
import dev.ragtime.embed.EmbeddingModel;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Query-embedding latency while a bulk ingest runs, with the local model (issue 8): in one JVM and
 * one run, the same pipeline (as {@code Ragtime.create} builds it) embeds SciFact passages without
 * pause, fed like the ingestor feeds it (one {@code embed} call per document, the configured
 * documents in flight), while one client embeds SciFact queries one after another with a short
 * think time, in three phases:
 *
 * <ol>
 *   <li>{@code idle}: queries through the query lane, no ingest (the floor);
 *   <li>{@code no-lane}: queries sent as passages ({@code embed(List.of(q))}, as before the lane);
 *   <li>{@code lane}: queries through the query lane ({@code embedQuery(q)}).
 * </ol>
 *
 * <p>The cache is off (memory and disk), so every text is embedded, and repeated texts cost the
 * same each time. Each phase stops after {@code --queries} queries or {@code --seconds}, whichever
 * comes first. Prints, per phase, query latency p50/p90/p99/max and the ingest's texts/s, and
 * writes them as JSON. Run with {@code bench/run-query-lane-bench.sh}.
 */
public final class QueryLaneBenchmark {
  private static final String USAGE =
      """
      Usage: bench/run-query-lane-bench.sh [options]
        --corpus FILE       BEIR corpus.jsonl (default ../shared/data/beir/scifact/corpus.jsonl)
        --queries-file FILE BEIR queries.jsonl (default: queries.jsonl beside the corpus)
        --passages N        distinct passages the ingest cycles through (default 3000)
        --queries N         queries per phase at most (default 300)
        --seconds S         seconds per phase at most (default 60)
        --think-ms N        pause between one query's answer and the next query (default 20)
        --out DIR           results (default bench/target/query-lane)
        --native-dir DIR    natives of the local model (default bench/target/issue4/native)
      """;

  private QueryLaneBenchmark() {}

  record PhaseSettings(int maxQueries, int seconds, int thinkMs, int documentsInFlight) {}

  /** One phase's figures. */
  record Phase(
      String name,
      int queries,
      double p50Ms,
      double p90Ms,
      double p99Ms,
      double maxMs,
      long ingestTexts,
      double ingestTextsPerSecond,
      double seconds,
      List<StageTimes.Stage> stages) {}

  public static void main(String[] args) throws Exception {
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
                "--queries-file",
                "--passages",
                "--queries",
                "--seconds",
                "--think-ms",
                "--out",
                "--native-dir"),
            Set.of());
    Path corpus = o.path("--corpus", "../shared/data/beir/scifact/corpus.jsonl");
    Path queriesFile = o.path("--queries-file", corpus.resolveSibling("queries.jsonl").toString());
    int passageCount = o.integer("--passages", 3_000);
    int maxQueries = o.integer("--queries", 300);
    int seconds = o.integer("--seconds", 60);
    int thinkMs = o.integer("--think-ms", 20);
    Path outDir = o.path("--out", "bench/target/query-lane");
    Path nativeDir = o.path("--native-dir", "bench/target/issue4/native");
    Files.createDirectories(outDir);
    Path dataDir = Files.createTempDirectory(outDir, "data");

    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("native-dir", nativeDir.toString());
    settings.put("embedding.cache-memory-bytes", "0");
    settings.put("embedding.cache-persistent", "false");
    RagtimeConfig config =
        RagtimeConfig.from(Settings.of(settings), Optional.of(dataDir), Map.of());
    List<String> queries = readQueries(queriesFile);
    var meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT); // cumulative histograms
    try (Ragtime rt = Ragtime.create(config, meters)) {
      rt.loadModel();
      EmbeddingModel model = rt.model();
      EmbeddingWorkload work =
          EmbeddingWorkload.fromCorpus(corpus, passageCount, 64, 120, rt.tokenCounter());
      out.printf(
          Locale.ROOT,
          "%d passages (%d documents), %d queries; %s%n",
          work.texts().size(),
          work.documents()[work.documents().length - 1] + 1,
          queries.size(),
          settingsLine(config));
      model.embed(work.warmup());
      for (int i = 0; i < 50; i++) {
        model.embedQuery(queries.get(i % queries.size()));
      }
      List<Phase> phases = new ArrayList<>();
      var phase =
          new PhaseSettings(maxQueries, seconds, thinkMs, config.ingest().documentsInFlight());
      phases.add(run("idle", model, work, queries, false, true, phase, meters));
      phases.add(run("no-lane", model, work, queries, true, false, phase, meters));
      phases.add(run("lane", model, work, queries, true, true, phase, meters));
      out.println();
      out.println("| phase | queries | p50 ms | p90 ms | p99 ms | max ms | ingest texts/s |");
      out.println("| --- | --- | --- | --- | --- | --- | --- |");
      for (Phase p : phases) {
        out.printf(
            Locale.ROOT,
            "| %s | %d | %.1f | %.1f | %.1f | %.1f | %s |%n",
            p.name(),
            p.queries(),
            p.p50Ms(),
            p.p90Ms(),
            p.p99Ms(),
            p.maxMs(),
            p.ingestTexts() == 0
                ? "-"
                : String.format(Locale.ROOT, "%.1f", p.ingestTextsPerSecond()));
      }
      out.println();
      out.println("Where the time went at the local model (histogram buckets, so bounds):");
      out.println("| phase | purpose | stage | count | p50 ms ≤ | p99 ms ≤ | max ms ≤ |");
      out.println("| --- | --- | --- | --- | --- | --- | --- |");
      for (Phase p : phases) {
        for (StageTimes.Stage st : p.stages()) {
          out.printf(
              Locale.ROOT,
              "| %s | %s | %s | %d | %.1f | %.1f | %.1f |%n",
              p.name(),
              st.purpose(),
              st.stage(),
              st.count(),
              st.p50Ms(),
              st.p99Ms(),
              st.maxMs());
        }
      }
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .writeValue(outDir.resolve("query-lane.json").toFile(), phases);
      out.println("results: " + outDir.resolve("query-lane.json"));
    } finally {
      Scratch.deleteRecursively(dataDir);
    }
  }

  private static String settingsLine(RagtimeConfig c) {
    return "local model, max batch "
        + c.embedding().maxBatch()
        + ", max concurrency "
        + c.embedding().maxConcurrency()
        + ", "
        + c.ingest().documentsInFlight()
        + " documents in flight, cache off";
  }

  private static Phase run(
      String name,
      EmbeddingModel model,
      EmbeddingWorkload work,
      List<String> queries,
      boolean ingest,
      boolean lane,
      PhaseSettings settings,
      MeterRegistry meters)
      throws InterruptedException {
    int maxQueries = settings.maxQueries();
    int seconds = settings.seconds();
    var stop = new AtomicBoolean();
    var ingested = new AtomicLong();
    Thread feeder = null;
    ExecutorService callers =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("bench-ingest-", 0).factory());
    if (ingest) {
      feeder =
          Thread.ofVirtual()
              .start(
                  () -> feed(model, work, stop, ingested, callers, settings.documentsInFlight()));
      // Let the ingest reach its steady state: requests of full size in flight.
      Thread.sleep(2_000);
    }
    long ingestStart = ingested.get();
    var stages = new StageTimes(meters);
    long start = System.nanoTime();
    long end = start + seconds * 1_000_000_000L;
    List<Double> latencies = new ArrayList<>();
    for (int i = 0; latencies.size() < maxQueries && System.nanoTime() < end; i++) {
      String q = queries.get(i % queries.size()) + " #" + name; // unique text per phase
      long t0 = System.nanoTime();
      if (lane) {
        model.embedQuery(q);
      } else {
        model.embed(List.of(q));
      }
      latencies.add((System.nanoTime() - t0) / 1e6);
      Thread.sleep(settings.thinkMs());
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    long texts = ingested.get() - ingestStart;
    stop.set(true);
    if (feeder != null) {
      feeder.join();
    }
    callers.close();
    double[] l = latencies.stream().mapToDouble(Double::doubleValue).toArray();
    return new Phase(
        name,
        l.length,
        Samples.percentile(l, 50),
        Samples.percentile(l, 90),
        Samples.percentile(l, 99),
        Samples.max(l),
        texts,
        texts / elapsed,
        elapsed,
        stages.since());
  }

  /** Embeds the passages document by document, round and round, until told to stop. */
  private static void feed(
      EmbeddingModel model,
      EmbeddingWorkload work,
      AtomicBoolean stop,
      AtomicLong ingested,
      ExecutorService callers,
      int documentsInFlight) {
    Map<Integer, List<String>> byDocument = new LinkedHashMap<>();
    for (int i = 0; i < work.texts().size(); i++) {
      byDocument
          .computeIfAbsent(work.documents()[i], d -> new ArrayList<>())
          .add(work.texts().get(i));
    }
    var inFlight = new Semaphore(documentsInFlight); // as the ingestor keeps them
    try {
      while (!stop.get()) {
        for (List<String> doc : byDocument.values()) {
          if (stop.get()) {
            break;
          }
          inFlight.acquire();
          callers.execute(
              () -> {
                try {
                  model.embed(doc);
                  ingested.addAndGet(doc.size());
                } catch (RuntimeException e) {
                  // the pipeline closing at the end of the run
                } finally {
                  inFlight.release();
                }
              });
        }
      }
      inFlight.acquire(documentsInFlight); // the phase ends when its documents are done
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static List<String> readQueries(Path file) throws IOException {
    var json = new ObjectMapper();
    List<String> out = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file)) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (!line.isBlank()) {
          JsonNode n = json.readTree(line);
          out.add(n.get("text").asText());
        }
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no queries in " + file);
    }
    return out;
  }
}
