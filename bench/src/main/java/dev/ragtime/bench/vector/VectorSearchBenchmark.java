package dev.ragtime.bench.vector;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ragtime.bench.measure.CpuMeter;
import dev.ragtime.bench.measure.Options;
import dev.ragtime.bench.measure.Samples;
import dev.ragtime.bench.measure.Scratch;
import dev.ragtime.embed.ModelInfo;
import dev.ragtime.index.DocumentWrite;
import dev.ragtime.index.Hit;
import dev.ragtime.index.Index;
import dev.ragtime.index.IndexConfig;
import dev.ragtime.index.IndexedChunk;
import dev.ragtime.index.LuceneCollections;
import dev.ragtime.index.SearchableIndex;
import dev.ragtime.onnx.OnnxEmbeddingModel;
import dev.ragtime.onnx.OnnxModelConfig;
import dev.ragtime.search.SearchConfig;
import dev.ragtime.search.SearchMode;
import dev.ragtime.search.SearchRequest;
import dev.ragtime.search.Searcher;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
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
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.FSDirectory;

/**
 * Vector search at scale (issue 4): builds Ragtime's Lucene index ({@link LuceneCollections}, the
 * product's {@link Index#write}) from real Wikipedia paragraph embeddings ({@link VectorData}) and,
 * beyond the real count, clustered synthetic ones ({@link SyntheticVectors}); measures build time,
 * then single-threaded query latency through the product's {@link Searcher} (vector, hybrid and
 * BM25 modes) and recall@10 of vector search against exact brute force, at several HNSW settings.
 *
 * <p>Query vectors come precomputed ({@link LookupModel}), so latency is the index's; the local
 * model's own latency for embedding one query is measured separately. Configurations are measured
 * in interleaved passes (every configuration once per pass) after a warm-up pass.
 */
public final class VectorSearchBenchmark {
  static final ModelInfo MODEL = OnnxEmbeddingModel.DEFAULT_INFO;
  static final int K = 10;

  private static final String USAGE =
      """
      Usage: java -cp <bench classpath> dev.ragtime.bench.vector.VectorSearchBenchmark [options]
        --vectors DIR          output of VectorData (default bench/target/issue4/vectors)
        --sizes LIST           index sizes (default 100000,1000000)
        --queries N            held-out queries (default 1000)
        --builds LIST          HNSW settings M:beamWidth; the first is the default (default 16:100,32:200)
        --tuned-max-size N     build settings after the first only for sizes up to N (default 100000)
        --candidates LIST      kNN candidate depths measured, k = 10 (default 50,100,200,400)
        --passes N             measured passes over the queries per configuration (default 3)
        --synthetic-cosine C   expected cosine of a synthetic vector to its real parent (default 0.9)
        --write-batch N        documents per Index.write (one commit each) (default 10000)
        --work DIR             indexes and ground truth (default bench/target/issue4/vector-search)
        --keep-indexes         do not delete the indexes afterwards
        --embed-queries BOOL   also time the local model embedding one query at a time (default true)
        --native-dir DIR       natives of the local model (default bench/target/issue4/native)
        --seed N               synthetic data seed (default 42)
      """;

  private VectorSearchBenchmark() {}

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
                "--vectors",
                "--sizes",
                "--queries",
                "--builds",
                "--tuned-max-size",
                "--candidates",
                "--passes",
                "--synthetic-cosine",
                "--write-batch",
                "--work",
                "--embed-queries",
                "--native-dir",
                "--seed"),
            Set.of("--keep-indexes"));
    Path vectors = o.path("--vectors", "bench/target/issue4/vectors");
    Path work = o.path("--work", "bench/target/issue4/vector-search").toAbsolutePath();
    List<Integer> sizes = o.integers("--sizes", "100000,1000000");
    int queryCount = o.integer("--queries", 1000);
    List<int[]> builds = new ArrayList<>();
    for (String b : o.list("--builds", "16:100,32:200")) {
      String[] mb = b.split(":");
      builds.add(new int[] {Integer.parseInt(mb[0]), Integer.parseInt(mb[1])});
    }
    int tunedMax = o.integer("--tuned-max-size", 100_000);
    List<Integer> candidates = o.integers("--candidates", "50,100,200,400");
    int passes = o.integer("--passes", 3);
    double cosine = o.decimal("--synthetic-cosine", 0.9);
    int writeBatch = o.integer("--write-batch", 10_000);
    long seed = o.integer("--seed", 42);
    Files.createDirectories(work);

    int maxSize = sizes.stream().mapToInt(Integer::intValue).max().orElseThrow();
    int realAvailable = VectorFile.count(vectors.resolve("base.f32"), VectorData.DIMENSION);
    int realCount = Math.min(realAvailable, maxSize);
    List<String> realTexts =
        Files.readAllLines(vectors.resolve("base.txt"), StandardCharsets.UTF_8)
            .subList(0, realCount);
    float[][] real = VectorFile.read(vectors.resolve("base.f32"), realCount, VectorData.DIMENSION);
    List<String> queryTexts =
        Files.readAllLines(vectors.resolve("queries.txt"), StandardCharsets.UTF_8)
            .subList(0, queryCount);
    float[][] queries =
        VectorFile.read(vectors.resolve("queries.f32"), queryCount, VectorData.DIMENSION);
    out.printf(
        "data: %,d real paragraph vectors, %,d queries; load now %.1f%n",
        realCount, queryCount, CpuMeter.loadAverage());

    List<Map<String, Object>> results = new ArrayList<>();
    StringBuilder md = new StringBuilder();
    md.append(
        String.format(
            Locale.ROOT,
            "Run %s; %d cores, %s %s; %,d queries (first sentences of held-out articles), k = %d,"
                + " %d measured passes after one warm-up pass, single-threaded.%n",
            Instant.now(),
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.vm.name"),
            System.getProperty("java.version"),
            queryCount,
            K,
            passes));
    if (Boolean.parseBoolean(o.string("--embed-queries", "true"))) {
      md.append(
          embedQueries(queryTexts, o.path("--native-dir", "bench/target/issue4/native"), out));
    }

    try (ExecutorService pool =
        Executors.newThreadPerTaskExecutor(
            Thread.ofPlatform().name("bench-bruteforce-", 0).factory())) {
      for (int size : sizes) {
        int[] parents = new int[size];
        float[][] base;
        String kind;
        if (size <= realCount) {
          base = java.util.Arrays.copyOf(real, size);
          for (int i = 0; i < size; i++) {
            parents[i] = i;
          }
          kind = "real";
        } else {
          double sigma = SyntheticVectors.sigmaFor(cosine, VectorData.DIMENSION);
          base = SyntheticVectors.extend(real, size, sigma, seed, parents);
          kind =
              String.format(
                  Locale.ROOT,
                  "%,d real + %,d synthetic (cos %.2f to parent, σ %.4f)",
                  realCount,
                  size - realCount,
                  cosine,
                  sigma);
        }
        int[][] truth = groundTruth(work, size, kind, base, queries, pool, out);
        for (int b = 0; b < builds.size(); b++) {
          if (b > 0 && size > tunedMax) {
            continue;
          }
          int m = builds.get(b)[0];
          int beam = builds.get(b)[1];
          Path dir = work.resolve(String.format(Locale.ROOT, "index-%d-m%d-b%d", size, m, beam));
          Scratch.deleteRecursively(dir);
          Map<String, Object> build =
              build(
                  dir,
                  new IndexConfig(m, beam, IndexConfig.DEFAULT_RAM_BUFFER_MB),
                  base,
                  parents,
                  realTexts,
                  writeBatch,
                  out);
          build.put("size", size);
          build.put("data", kind);
          results.add(build);
          List<Map<String, Object>> searches =
              search(dir, queryTexts, queries, truth, candidates, passes, out);
          for (Map<String, Object> s : searches) {
            s.put("size", size);
            s.put("M", m);
            s.put("beamWidth", beam);
            results.add(s);
          }
          md.append(section(size, kind, build, searches));
          if (!o.has("--keep-indexes")) {
            Scratch.deleteRecursively(dir);
          }
        }
      }
    }
    out.println();
    out.print(md);
    Files.writeString(work.resolve("results.md"), md.toString());
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(work.resolve("results.json").toFile(), results);
    out.printf("%nresults: %s and results.json%n", work.resolve("results.md"));
  }

  /** Exact top-k per query, cached in a file per data set. */
  private static int[][] groundTruth(
      Path work,
      int size,
      String kind,
      float[][] base,
      float[][] queries,
      ExecutorService pool,
      PrintStream out)
      throws IOException {
    Path file =
        work.resolve(
            String.format(
                Locale.ROOT, "truth-%d-q%d-%08x.bin", size, queries.length, kind.hashCode()));
    if (Files.isRegularFile(file)) {
      try (var in = new DataInputStream(Files.newInputStream(file))) {
        int[][] truth = new int[queries.length][K];
        for (int[] row : truth) {
          for (int j = 0; j < K; j++) {
            row[j] = in.readInt();
          }
        }
        return truth;
      }
    }
    long start = System.nanoTime();
    int[][] truth =
        BruteForce.topK(base, queries, K, pool, Runtime.getRuntime().availableProcessors());
    out.printf(
        "  ground truth for %,d vectors: %.1f s (brute force, %d threads)%n",
        size, (System.nanoTime() - start) / 1e9, Runtime.getRuntime().availableProcessors());
    try (var o = new DataOutputStream(Files.newOutputStream(file))) {
      for (int[] row : truth) {
        for (int id : row) {
          o.writeInt(id);
        }
      }
    }
    return truth;
  }

  /** Writes every vector through {@link Index#write} in batches; closing waits for merges. */
  private static Map<String, Object> build(
      Path dir,
      IndexConfig config,
      float[][] base,
      int[] parents,
      List<String> texts,
      int writeBatch,
      PrintStream out)
      throws IOException {
    LuceneCollections collections = LuceneCollections.at(dir, config);
    var cpu = CpuMeter.start();
    long start = System.nanoTime();
    double writeSeconds;
    try (Index index = collections.open("bench", MODEL)) {
      List<DocumentWrite> batch = new ArrayList<>(writeBatch);
      for (int i = 0; i < base.length; i++) {
        String id = "v" + i;
        batch.add(
            new DocumentWrite(
                id,
                "h",
                List.of(new IndexedChunk(id + "#0", 0, texts.get(parents[i]), base[i], Map.of()))));
        if (batch.size() == writeBatch || i == base.length - 1) {
          index.write(batch);
          batch.clear();
          if ((i + 1) % (writeBatch * 10) == 0 || i == base.length - 1) {
            out.printf(
                Locale.ROOT, "    %,d written, %.0f s%n", i + 1, (System.nanoTime() - start) / 1e9);
          }
        }
      }
      writeSeconds = (System.nanoTime() - start) / 1e9;
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    var usage = CpuMeter.since(cpu);
    Path lucene = collections.collectionDir("bench").resolve("lucene");
    int segments;
    try (var d = FSDirectory.open(lucene)) {
      segments = SegmentInfos.readLatestCommit(d).size();
    }
    long bytes;
    try (Stream<Path> files = Files.walk(lucene)) {
      bytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("kind", "build");
    r.put("M", config.hnswM());
    r.put("beamWidth", config.hnswBeamWidth());
    r.put("seconds", seconds);
    r.put("writeSeconds", writeSeconds);
    r.put("vectorsPerSecond", base.length / seconds);
    r.put("segments", segments);
    r.put("diskMiB", bytes / (1024.0 * 1024));
    r.putAll(usage.fields());
    out.printf(
        Locale.ROOT,
        "  built %,d vectors at M=%d beam=%d in %.0f s (writes %.0f s, then merges), %d segments,"
            + " %.0f MiB (%s)%n",
        base.length,
        config.hnswM(),
        config.hnswBeamWidth(),
        seconds,
        writeSeconds,
        segments,
        bytes / (1024.0 * 1024),
        usage.describe());
    return r;
  }

  /** One measured configuration of the searcher. */
  private record Probe(String label, SearchMode mode, int candidates) {}

  private static List<Map<String, Object>> search(
      Path dir,
      List<String> queryTexts,
      float[][] queries,
      int[][] truth,
      List<Integer> candidates,
      int passes,
      PrintStream out) {
    Map<String, float[]> lookup = new HashMap<>();
    for (int q = 0; q < queries.length; q++) {
      lookup.put(queryTexts.get(q), queries[q]);
    }
    LookupModel model = new LookupModel(MODEL, lookup);
    List<Probe> probes = new ArrayList<>();
    for (int c : candidates) {
      probes.add(new Probe("vector, " + c + " candidates", SearchMode.VECTOR, c));
    }
    probes.add(
        new Probe(
            "hybrid, " + SearchConfig.DEFAULT_CANDIDATES + " + " + SearchConfig.DEFAULT_CANDIDATES,
            SearchMode.HYBRID,
            SearchConfig.DEFAULT_CANDIDATES));
    probes.add(new Probe("bm25", SearchMode.BM25, SearchConfig.DEFAULT_CANDIDATES));
    int n = queries.length;
    double[][] latencies = new double[probes.size()][passes * n];
    double[][] passP99 = new double[probes.size()][passes];
    double[] recallSum = new double[probes.size()];
    List<Map<String, Object>> results = new ArrayList<>();
    LuceneCollections collections = LuceneCollections.at(dir);
    try (SearchableIndex index = collections.openReadOnly("bench", MODEL)) {
      List<Searcher> searchers = new ArrayList<>();
      for (Probe p : probes) {
        searchers.add(
            Searcher.create(
                index,
                model,
                new SearchConfig(SearchConfig.DEFAULT_RRF_K, p.candidates(), 1.0, 1.0)));
      }
      var cpu = CpuMeter.start();
      for (int pass = -1; pass < passes; pass++) { // pass -1 is the warm-up
        for (int p = 0; p < probes.size(); p++) {
          Probe probe = probes.get(p);
          double[] passLatency = new double[n];
          for (int q = 0; q < n; q++) {
            SearchRequest request = new SearchRequest(queryTexts.get(q), K, probe.mode(), Map.of());
            long t0 = System.nanoTime();
            List<Hit> hits = searchers.get(p).search(request).hits();
            double ms = (System.nanoTime() - t0) / 1e6;
            if (pass < 0) {
              continue;
            }
            passLatency[q] = ms;
            latencies[p][pass * n + q] = ms;
            if (probe.mode() == SearchMode.VECTOR && pass == 0) {
              int[] found = new int[hits.size()];
              for (int h = 0; h < found.length; h++) {
                found[h] = Integer.parseInt(hits.get(h).docId().substring(1));
              }
              recallSum[p] += BruteForce.recall(truth[q], found);
            }
          }
          if (pass >= 0) {
            passP99[p][pass] = Samples.percentile(passLatency, 99);
          }
        }
      }
      var usage = CpuMeter.since(cpu);
      for (int p = 0; p < probes.size(); p++) {
        Probe probe = probes.get(p);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("kind", "search");
        r.put("probe", probe.label());
        r.put("mode", probe.mode().name());
        r.put("candidates", probe.candidates());
        r.put("p50ms", Samples.percentile(latencies[p], 50));
        r.put("p99ms", Samples.percentile(latencies[p], 99));
        r.put("meanMs", java.util.Arrays.stream(latencies[p]).average().orElse(Double.NaN));
        r.put("p99PassMinMs", Samples.min(passP99[p]));
        r.put("p99PassMaxMs", Samples.max(passP99[p]));
        r.put("recallAt10", probe.mode() == SearchMode.VECTOR ? recallSum[p] / n : Double.NaN);
        r.putAll(usage.fields());
        results.add(r);
        out.printf(
            Locale.ROOT,
            "    %-28s p50 %6.2f ms  p99 %6.2f ms (passes %.2f–%.2f)%s%n",
            probe.label(),
            (double) r.get("p50ms"),
            (double) r.get("p99ms"),
            (double) r.get("p99PassMinMs"),
            (double) r.get("p99PassMaxMs"),
            probe.mode() == SearchMode.VECTOR
                ? String.format(Locale.ROOT, "  recall@10 %.4f", (double) r.get("recallAt10"))
                : "");
      }
      out.printf("    during the queries: %s%n", usage.describe());
    }
    return results;
  }

  /** The local model's latency for one query, embedded alone (as a search does). */
  private static String embedQueries(List<String> texts, Path nativeDir, PrintStream out) {
    try (OnnxEmbeddingModel model = OnnxEmbeddingModel.load(OnnxModelConfig.defaults(nativeDir))) {
      for (int i = 0; i < Math.min(100, texts.size()); i++) {
        model.embed(List.of(texts.get(i)));
      }
      double[] ms = new double[texts.size()];
      var cpu = CpuMeter.start();
      for (int i = 0; i < texts.size(); i++) {
        long t0 = System.nanoTime();
        model.embed(List.of(texts.get(i)));
        ms[i] = (System.nanoTime() - t0) / 1e6;
      }
      var usage = CpuMeter.since(cpu);
      String line =
          String.format(
              Locale.ROOT,
              "Query embedding with the local model, one query per call: p50 %.2f ms, p99 %.2f"
                  + " ms (%s).%n",
              Samples.percentile(ms, 50),
              Samples.percentile(ms, 99),
              usage.describe());
      out.print(line);
      return line;
    }
  }

  @SuppressWarnings("unchecked")
  private static String section(
      int size, String kind, Map<String, Object> build, List<Map<String, Object>> searches) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "%n### %,d vectors (%s), HNSW M=%d, beam width %d%n%n"
                + "Build: %.0f s (%,.0f vectors/s; writes %.0f s, the rest waiting for merges),"
                + " %d segments, %.0f MiB on disk; own %.2f cores, others %.2f.%n%n",
            size,
            kind,
            (int) build.get("M"),
            (int) build.get("beamWidth"),
            (double) build.get("seconds"),
            (double) build.get("vectorsPerSecond"),
            (double) build.get("writeSeconds"),
            (int) build.get("segments"),
            (double) build.get("diskMiB"),
            (double) build.get("ownCores"),
            (double) build.get("otherCores")));
    sb.append("| query | recall@10 | p50 ms | p99 ms | p99 per pass ms | mean ms |\n");
    sb.append("| --- | --- | --- | --- | --- | --- |\n");
    for (Map<String, Object> s : searches) {
      double recall = (double) s.get("recallAt10");
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %.2f | %.2f | %.2f–%.2f | %.2f |%n",
              s.get("probe"),
              Double.isNaN(recall) ? "–" : String.format(Locale.ROOT, "%.4f", recall),
              (double) s.get("p50ms"),
              (double) s.get("p99ms"),
              (double) s.get("p99PassMinMs"),
              (double) s.get("p99PassMaxMs"),
              (double) s.get("meanMs")));
    }
    Map<String, Object> any = searches.get(0);
    sb.append(
        String.format(
            Locale.ROOT,
            "%nDuring the queries: own %.2f cores, others %.2f, load %.1f.%n",
            (double) any.get("ownCores"),
            (double) any.get("otherCores"),
            (double) any.get("loadAverage")));
    return sb.toString();
  }
}
