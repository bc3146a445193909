package dev.ragtime.bench.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ragtime.app.Ragtime;
import dev.ragtime.app.RagtimeConfig;
import dev.ragtime.bench.measure.CpuMeter;
import dev.ragtime.bench.measure.Memory;
import dev.ragtime.bench.measure.Options;
import dev.ragtime.bench.measure.Scratch;
import dev.ragtime.chunk.Chunk;
import dev.ragtime.chunk.Chunker;
import dev.ragtime.config.Settings;
import dev.ragtime.document.CorpusRecord;
import dev.ragtime.document.JsonlCorpus;
import dev.ragtime.document.ParsedDocument;
import dev.ragtime.embed.PipelineStats;
import dev.ragtime.index.DocumentWrite;
import dev.ragtime.index.Index;
import dev.ragtime.index.IndexedChunk;
import dev.ragtime.ingest.CorpusSources;
import dev.ragtime.ingest.IngestProgress;
import dev.ragtime.ingest.IngestReport;
import dev.ragtime.ingest.Ingestor;
import dev.ragtime.ingest.SourceScan;
import dev.ragtime.onnx.OnnxEmbeddingModel;
import dev.ragtime.onnx.OnnxModelConfig;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * End-to-end ingestion of a JSONL corpus with the local model (issue 4), through the same
 * composition root as {@code ragtime ingest} ({@link Ragtime} with default settings), and where the
 * time goes.
 *
 * <p>Phases, in one JVM:
 *
 * <ol>
 *   <li>{@code full}: a fresh data directory, ingest everything: documents/s, chunks/s, peak RSS,
 *       and from the pipeline's meters ({@code ragtime.embedding.request.duration}, endpoint {@code
 *       local}) how long the model was busy;
 *   <li>{@code warm}: a new {@link Ragtime} on the same data directory ingests into a second
 *       collection; every vector comes from the persistent embedding cache, so this is the whole
 *       ingest path without the model;
 *   <li>{@code stages}: single-threaded passes over the same input, each stage alone: read and
 *       parse, chunk (with the model's tokenizer), embed (a sample, extrapolated by word-pieces)
 *       and index (every chunk with its cached vector, written in groups of the ingestor's commit
 *       size).
 * </ol>
 */
public final class IngestionBenchmark {
  private static final String USAGE =
      """
      Usage: java -cp <bench classpath> dev.ragtime.bench.ingest.IngestionBenchmark [options]
        --corpus FILE        JSONL corpus (default ../shared/data/wiki/enwiki-slice.jsonl.gz)
        --work DIR           data directory, wiped first (default bench/target/issue4/ingest)
        --phases LIST        of full, warm, stages (default all)
        --embed-sample N     the embed stage embeds every N-th document (default 20)
        --native-dir DIR     natives of the local model (default bench/target/issue4/native)
      """;

  private IngestionBenchmark() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    if (List.of(args).contains("--help")) {
      out.print(USAGE);
      return;
    }
    Options o =
        Options.parse(
            args,
            Set.of("--corpus", "--work", "--phases", "--embed-sample", "--native-dir"),
            Set.of());
    Path corpus = o.path("--corpus", "../shared/data/wiki/enwiki-slice.jsonl.gz");
    Path work = o.path("--work", "bench/target/issue4/ingest").toAbsolutePath();
    Path nativeDir = o.path("--native-dir", "bench/target/issue4/native").toAbsolutePath();
    List<String> phases = o.list("--phases", "full,warm,stages");
    int sampleEvery = o.integer("--embed-sample", 20);
    Path data = work.resolve("data");
    RagtimeConfig config =
        RagtimeConfig.from(
            Settings.of(Map.of("native-dir", nativeDir.toString())), Optional.of(data), Map.of());

    Map<String, Object> results = new LinkedHashMap<>();
    results.put("started", Instant.now().toString());
    results.put("corpus", corpus.toString());
    results.put("jvm", ManagementFactory.getRuntimeMXBean().getInputArguments());
    results.put("maxHeapMiB", Runtime.getRuntime().maxMemory() / (1024.0 * 1024));
    out.printf(
        "ingesting %s; %d cores, %s %s, max heap %.0f MiB; load now %.1f%n",
        corpus,
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"),
        Runtime.getRuntime().maxMemory() / (1024.0 * 1024),
        CpuMeter.loadAverage());

    if (phases.contains("full")) {
      Scratch.deleteRecursively(data);
      results.put("full", ingest(config, corpus, "wiki", out));
    }
    if (phases.contains("warm")) {
      results.put("warm", ingest(config, corpus, "wiki-warm", out));
    }
    if (phases.contains("stages")) {
      results.put("stages", stages(config, corpus, sampleEvery, nativeDir, out));
    }
    Files.createDirectories(work);
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(work.resolve("results.json").toFile(), results);
    out.printf("results: %s%n", work.resolve("results.json"));
  }

  /** One ingest run through a fresh {@link Ragtime}, as {@code ragtime ingest} does it. */
  private static Map<String, Object> ingest(
      RagtimeConfig config, Path corpus, String collection, PrintStream out) throws Exception {
    out.printf("%n== ingest into '%s' ==%n", collection);
    long gcBefore = gcMillis();
    var cpu = CpuMeter.start();
    long start = System.nanoTime();
    Map<String, Object> r = new LinkedHashMap<>();
    try (Ragtime rt = Ragtime.create(config);
        Index index = rt.openCollection(collection);
        JsonlCorpus records = JsonlCorpus.open(corpus)) {
      IngestProgress progress = new IngestProgress();
      Ticker ticker = new Ticker(progress, start, out);
      try {
        IngestReport report =
            rt.ingestor(index)
                .ingest(
                    CorpusSources.of(records, corpus.toString()),
                    -1,
                    SourceScan.empty(),
                    false,
                    progress);
        double seconds = (System.nanoTime() - start) / 1e9;
        r.put("seconds", seconds);
        r.put("documents", report.documents());
        r.put("chunks", report.chunks());
        r.put("embedded", report.embedded());
        r.put("failed", report.failed());
        r.put("documentsPerSecond", report.documents() / seconds);
        r.put("chunksPerSecond", report.chunks() / seconds);
      } finally {
        ticker.close();
      }
      r.put("peakRssMiB", Memory.peakRssMib());
      r.put("heapUsedMiB", usedHeapMib());
      r.putAll(meters(rt.meters(), rt.pipelineStats()));
    }
    double total = (System.nanoTime() - start) / 1e9;
    var usage = CpuMeter.since(cpu);
    r.put("secondsWithClose", total);
    r.put("gcSeconds", (gcMillis() - gcBefore) / 1000.0);
    r.putAll(usage.fields());
    out.printf(
        Locale.ROOT,
        "  %,d documents, %,d chunks (%,d embedded) in %.1f s: %.1f documents/s, %.1f chunks/s;"
            + " model busy %.1f s; peak RSS %.0f MiB; GC %.1f s; %s%n",
        (long) r.get("documents"),
        (long) r.get("chunks"),
        (long) r.get("embedded"),
        (double) r.get("seconds"),
        (double) r.get("documentsPerSecond"),
        (double) r.get("chunksPerSecond"),
        (double) r.get("modelBusySeconds"),
        (double) r.get("peakRssMiB"),
        (double) r.get("gcSeconds"),
        usage.describe());
    return r;
  }

  /** The pipeline's own account of the run, read from its meters before it closes. */
  private static Map<String, Object> meters(MeterRegistry meters, Optional<PipelineStats> stats) {
    Map<String, Object> r = new LinkedHashMap<>();
    double busy = 0;
    long requests = 0;
    for (Timer t :
        meters.find("ragtime.embedding.request.duration").tag("endpoint", "local").timers()) {
      busy += t.totalTime(TimeUnit.SECONDS);
      requests += t.count();
    }
    r.put("modelBusySeconds", busy);
    r.put("modelRequests", requests);
    DistributionSummary batch = meters.find("ragtime.embedding.batch.size").summary();
    r.put("meanBatchTexts", batch == null ? Double.NaN : batch.mean());
    DistributionSummary tokens = meters.find("ragtime.embedding.batch.tokens").summary();
    r.put("meanBatchTokens", tokens == null ? Double.NaN : tokens.mean());
    Timer wait = meters.find("ragtime.embedding.queue.wait").timer();
    r.put("meanQueueWaitMs", wait == null ? Double.NaN : wait.mean(TimeUnit.MILLISECONDS));
    stats.ifPresent(
        s -> {
          r.put("textsRequested", s.textsRequested());
          r.put("cacheHits", s.cacheHits());
          r.put("embeddedTexts", s.embeddedTexts());
          r.put("tokens", s.tokens());
        });
    return r;
  }

  /** Each stage alone, single-threaded, on the same input. */
  private static Map<String, Object> stages(
      RagtimeConfig config, Path corpus, int sampleEvery, Path nativeDir, PrintStream out)
      throws Exception {
    out.printf("%n== stages, one at a time, single-threaded ==%n");
    Map<String, Object> r = new LinkedHashMap<>();
    try (Ragtime rt = Ragtime.create(config)) {
      // Read and parse.
      long t0 = System.nanoTime();
      List<CorpusRecord> records = new ArrayList<>();
      List<ParsedDocument> docs = new ArrayList<>();
      try (JsonlCorpus c = JsonlCorpus.open(corpus)) {
        c.stream()
            .forEach(
                rec -> {
                  records.add(rec);
                  docs.add(rec.toDocument());
                });
      }
      double parse = seconds(t0);
      r.put("parseSeconds", parse);
      out.printf(Locale.ROOT, "  read + parse: %.1f s for %,d documents%n", parse, docs.size());

      // Chunk, with the model's tokenizer counting (loaded before the clock starts).
      Chunker chunker = rt.chunker();
      rt.tokenCounter().count("warm up the tokenizer");
      long t1 = System.nanoTime();
      List<List<Chunk>> chunks = new ArrayList<>(docs.size());
      for (ParsedDocument d : docs) {
        chunks.add(chunker.chunk(d));
      }
      double chunk = seconds(t1);
      long chunkCount = chunks.stream().mapToLong(List::size).sum();
      r.put("chunkSeconds", chunk);
      r.put("chunks", chunkCount);
      out.printf(Locale.ROOT, "  chunk: %.1f s for %,d chunks%n", chunk, chunkCount);

      List<List<String>> texts = new ArrayList<>(docs.size());
      for (int i = 0; i < docs.size(); i++) {
        List<String> mine = new ArrayList<>();
        for (Chunk c : chunks.get(i)) {
          mine.add(Ingestor.embedText(docs.get(i).title(), c));
        }
        texts.add(mine);
      }

      // Embed a sample, in the pipeline's batches of 32, with a model of its own.
      r.putAll(embedSample(texts, sampleEvery, rt, nativeDir, out));

      // Index: every chunk with its vector from the persistent cache (not timed).
      List<DocumentWrite> writes = new ArrayList<>(docs.size());
      long hitsBefore = rt.pipelineStats().map(PipelineStats::cacheHits).orElse(0L);
      long t2 = System.nanoTime();
      for (int i = 0; i < docs.size(); i++) {
        if (chunks.get(i).isEmpty()) {
          continue;
        }
        List<float[]> vectors = rt.model().embed(texts.get(i));
        writes.add(write(records.get(i), docs.get(i), chunks.get(i), vectors, corpus));
      }
      long hits = rt.pipelineStats().map(PipelineStats::cacheHits).orElse(0L) - hitsBefore;
      out.printf(
          Locale.ROOT,
          "  (vectors from the cache: %.1f s, %,d of %,d texts hit)%n",
          seconds(t2),
          hits,
          chunkCount);
      r.put("cacheHitsForIndexStage", hits);
      int commitDocuments = config.ingest().commitDocuments();
      long t3 = System.nanoTime();
      try (Index index = rt.openCollection("wiki-index-only")) {
        for (int from = 0; from < writes.size(); from += commitDocuments) {
          index.write(writes.subList(from, Math.min(writes.size(), from + commitDocuments)));
        }
      }
      double indexSeconds = seconds(t3);
      r.put("indexSeconds", indexSeconds);
      r.put("indexCommitDocuments", commitDocuments);
      out.printf(
          Locale.ROOT,
          "  index: %.1f s for %,d chunks in commits of %d documents (closing waits for merges)%n",
          indexSeconds,
          chunkCount,
          commitDocuments);
    }
    return r;
  }

  private static Map<String, Object> embedSample(
      List<List<String>> texts, int every, Ragtime rt, Path nativeDir, PrintStream out) {
    List<String> sample = new ArrayList<>();
    long allPieces = 0;
    long samplePieces = 0;
    long allTexts = 0;
    var counter = rt.tokenCounter();
    for (int i = 0; i < texts.size(); i++) {
      for (String t : texts.get(i)) {
        int pieces = Math.min(254, counter.count(t));
        allPieces += pieces;
        allTexts++;
        if (i % every == 0) {
          sample.add(t);
          samplePieces += pieces;
        }
      }
    }
    Map<String, Object> r = new LinkedHashMap<>();
    try (OnnxEmbeddingModel model = OnnxEmbeddingModel.load(OnnxModelConfig.defaults(nativeDir))) {
      model.embed(sample.subList(0, Math.min(64, sample.size())));
      var cpu = CpuMeter.start();
      long t0 = System.nanoTime();
      for (int from = 0; from < sample.size(); from += 32) {
        model.embed(sample.subList(from, Math.min(sample.size(), from + 32)));
      }
      double s = seconds(t0);
      var usage = CpuMeter.since(cpu);
      double projected = s * allPieces / samplePieces;
      r.put("embedSampleTexts", sample.size());
      r.put("embedSampleSeconds", s);
      r.put("embedProjectedSeconds", projected);
      r.put("embedTexts", allTexts);
      r.put("embedWordPieces", allPieces);
      r.put("embedOwnCores", usage.ownCores());
      r.put("embedOtherCores", usage.otherCores());
      out.printf(
          Locale.ROOT,
          "  embed: %,d of %,d texts (every %d-th document) in %.1f s, %.1f texts/s;"
              + " all %,d word-pieces would take %.0f s (%s)%n",
          sample.size(),
          allTexts,
          every,
          s,
          sample.size() / s,
          allPieces,
          projected,
          usage.describe());
    }
    return r;
  }

  /** The write the ingestor makes for one document (see {@code Ingestor.Run.process}). */
  private static DocumentWrite write(
      CorpusRecord record,
      ParsedDocument doc,
      List<Chunk> chunks,
      List<float[]> vectors,
      Path corpus) {
    List<IndexedChunk> indexed = new ArrayList<>(chunks.size());
    for (int i = 0; i < chunks.size(); i++) {
      Chunk c = chunks.get(i);
      Map<String, String> meta = new HashMap<>(doc.metadata());
      meta.put("source", corpus + "#" + record.id());
      meta.put("title", doc.title());
      meta.put("heading", c.heading());
      meta.put("position", Integer.toString(c.position()));
      indexed.add(
          new IndexedChunk(
              record.id() + "#" + c.position(), c.position(), c.text(), vectors.get(i), meta));
    }
    return new DocumentWrite(record.id(), "bench", indexed);
  }

  /** Prints progress every 30 s on a named platform thread until closed. */
  private static final class Ticker {
    private final Thread thread;

    Ticker(IngestProgress progress, long start, PrintStream out) {
      this.thread =
          Thread.ofPlatform()
              .name("bench-progress")
              .daemon()
              .start(
                  () -> {
                    try {
                      while (true) {
                        Thread.sleep(30_000);
                        double s = (System.nanoTime() - start) / 1e9;
                        out.printf(
                            Locale.ROOT,
                            "  %4.0f s: %,d documents, %,d chunks written (%.1f chunks/s),"
                                + " load %.1f%n",
                            s,
                            progress.done(),
                            progress.chunks(),
                            progress.chunks() / s,
                            CpuMeter.loadAverage());
                      }
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  });
    }

    void close() {
      thread.interrupt();
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private static long gcMillis() {
    long sum = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      sum += Math.max(0, gc.getCollectionTime());
    }
    return sum;
  }

  private static double usedHeapMib() {
    Runtime r = Runtime.getRuntime();
    return (r.totalMemory() - r.freeMemory()) / (1024.0 * 1024);
  }
}
