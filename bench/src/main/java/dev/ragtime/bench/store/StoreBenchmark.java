package dev.ragtime.bench.store;

import dev.ragtime.bench.measure.Options;
import dev.ragtime.bench.measure.Samples;
import dev.ragtime.bench.vector.LookupModel;
import dev.ragtime.document.CorpusRecord;
import dev.ragtime.document.JsonlCorpus;
import dev.ragtime.embed.EmbeddingModel;
import dev.ragtime.embed.ModelInfo;
import dev.ragtime.eval.BeirDataset;
import dev.ragtime.eval.RetrievalMetrics;
import dev.ragtime.index.DocumentWrite;
import dev.ragtime.index.Hit;
import dev.ragtime.index.Index;
import dev.ragtime.index.IndexedChunk;
import dev.ragtime.index.LuceneCollections;
import dev.ragtime.onnx.OnnxEmbeddingModel;
import dev.ragtime.onnx.OnnxModelConfig;
import dev.ragtime.postgres.LexicalRanking;
import dev.ragtime.postgres.PgCollections;
import dev.ragtime.postgres.PgDatabase;
import dev.ragtime.postgres.PgSettings;
import dev.ragtime.search.SearchConfig;
import dev.ragtime.search.SearchMode;
import dev.ragtime.search.SearchRequest;
import dev.ragtime.search.Searcher;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * PostgreSQL + pgvector against the embedded Lucene store on the same SciFact data, in one run
 * (issue 10, item 6): ingest rate, search latency p50/p99 and nDCG@10 per mode, and recall@10 of
 * vector search against an exact scan. PostgreSQL's lexical ranking is measured twice: the store's
 * BM25 and PostgreSQL's own {@code ts_rank_cd}.
 *
 * <p>Documents are indexed whole ({@code title + " " + text}, the BEIR protocol of {@code ragtime
 * eval}); corpus and query vectors are embedded once with the local model and cached in the work
 * folder, so both stores index the same vectors and searches measure the store alone (query vectors
 * are looked up, not embedded). Writes go in batches of {@code --batch} documents, one {@code
 * Index.write} (one commit, one transaction) each, single-threaded.
 */
public final class StoreBenchmark {
  static final int K = 10;

  private static final String USAGE =
      """
      Usage: java -cp <bench classpath> dev.ragtime.bench.store.StoreBenchmark [options]
        --dataset DIR     BEIR dataset folder (default ../shared/data/beir/scifact)
        --split NAME      query split (default test)
        --postgres URL    admin JDBC URL of a PostgreSQL server with pgvector; a scratch database
                          is created there and dropped afterwards (default $TEST_POSTGRES_URL)
        --docs N          index only the first N corpus documents (quick mode; default all)
        --queries N       run only the first N queries (default all)
        --batch N         documents per write (default 64)
        --passes N        measured passes over the queries per store and mode (default 3)
        --work DIR        vector cache and Lucene index (default bench/target/store)
        --native-dir DIR  natives of the local model (default bench/target/issue4/native)
      """;

  private StoreBenchmark() {}

  /** A store under test and the searcher settings it is measured with. */
  private record Store(String label, Index index) {}

  public static void main(String[] args) throws Exception {
    Options o =
        Options.parse(
            args,
            Set.of(
                "--dataset",
                "--split",
                "--postgres",
                "--docs",
                "--queries",
                "--batch",
                "--passes",
                "--work",
                "--native-dir"),
            Set.of("--help"));
    if (o.has("--help")) {
      System.out.print(USAGE);
      return;
    }
    Path datasetDir = Path.of(o.string("--dataset", "../shared/data/beir/scifact"));
    String adminUrl = StoreBenchmark.adminUrl(o);
    int maxDocs = o.integer("--docs", Integer.MAX_VALUE);
    int maxQueries = o.integer("--queries", Integer.MAX_VALUE);
    int batch = o.integer("--batch", 64);
    int passes = o.integer("--passes", 3);
    Path work = Path.of(o.string("--work", "bench/target/store"));
    Path nativeDir = Path.of(o.string("--native-dir", "bench/target/issue4/native"));
    Files.createDirectories(work);
    PrintStream out = System.out;

    BeirDataset dataset = BeirDataset.load(datasetDir, o.string("--split", "test"));
    List<CorpusRecord> corpus = new ArrayList<>();
    try (JsonlCorpus c = JsonlCorpus.open(dataset.corpusFile());
        Stream<CorpusRecord> records = c.stream()) {
      records.limit(maxDocs).forEach(corpus::add);
    }
    Map<String, String> queries = new LinkedHashMap<>();
    dataset.queries().entrySet().stream()
        .filter(e -> !dataset.judgments(e.getKey()).isEmpty())
        .limit(maxQueries)
        .forEach(e -> queries.put(e.getKey(), e.getValue()));
    List<String> texts = corpus.stream().map(r -> (r.title() + " " + r.text()).strip()).toList();

    ModelInfo info = OnnxEmbeddingModel.DEFAULT_INFO;
    float[][] docVectors;
    float[][] queryVectors;
    try (OnnxEmbeddingModel model = OnnxEmbeddingModel.load(OnnxModelConfig.defaults(nativeDir))) {
      docVectors = cached(work.resolve("corpus-" + texts.size() + ".vec"), texts, model, false);
      queryVectors =
          cached(
              work.resolve("queries-" + queries.size() + ".vec"),
              List.copyOf(queries.values()),
              model,
              true);
    }
    Map<String, float[]> lookup = new LinkedHashMap<>();
    int qi = 0;
    for (String q : queries.values()) {
      lookup.put(q, queryVectors[qi++]);
    }
    EmbeddingModel queryModel = new LookupModel(info, lookup);
    List<DocumentWrite> writes = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      String id = corpus.get(i).id();
      writes.add(
          new DocumentWrite(
              id, "h", List.of(new IndexedChunk(id, 0, texts.get(i), docVectors[i], Map.of()))));
    }
    int[][] exact = exactTopK(docVectors, queryVectors);

    out.printf(
        Locale.ROOT,
        "store benchmark: %s, %d documents, %d queries, batch %d, %d passes%n",
        dataset.name(),
        writes.size(),
        queries.size(),
        batch,
        passes);
    String dbName = "ragtime_bench_" + ProcessHandle.current().pid();
    admin(adminUrl, "CREATE DATABASE " + dbName);
    Path luceneDir = work.resolve("lucene-" + ProcessHandle.current().pid());
    try (PgDatabase pg = PgDatabase.open(settingsFor(adminUrl, dbName))) {
      LuceneCollections lucene = LuceneCollections.at(luceneDir);
      Map<String, Result> results = new LinkedHashMap<>();
      try (Index luceneIndex = lucene.open("scifact", info);
          Index pgIndex = PgCollections.on(pg).open("scifact", info)) {
        double luceneRate = ingest(luceneIndex, writes, batch);
        double pgRate = ingest(pgIndex, writes, batch);
        out.printf(
            Locale.ROOT,
            "ingest: lucene %.0f docs/s, postgres %.0f docs/s (postgres/lucene %.2f)%n",
            luceneRate,
            pgRate,
            pgRate / luceneRate);
        List<Store> stores =
            List.of(new Store("lucene", luceneIndex), new Store("postgres", pgIndex));
        for (Store store : stores) {
          for (SearchMode mode : SearchMode.values()) {
            results.put(
                store.label + " " + mode.name().toLowerCase(Locale.ROOT),
                measure(store.index, queryModel, queries, dataset, mode, passes, corpus, exact));
          }
        }
      }
      try (Index tsRank = PgCollections.on(pg, LexicalRanking.TS_RANK_CD).openExisting("scifact")) {
        for (SearchMode mode : List.of(SearchMode.BM25, SearchMode.HYBRID)) {
          results.put(
              "postgres/ts_rank_cd " + mode.name().toLowerCase(Locale.ROOT),
              measure(tsRank, queryModel, queries, dataset, mode, passes, corpus, exact));
        }
      }
      out.printf(
          Locale.ROOT,
          "%-28s %9s %9s %9s %10s%n",
          "store and mode",
          "nDCG@10",
          "p50 ms",
          "p99 ms",
          "recall@10");
      results.forEach(
          (label, r) ->
              out.printf(
                  Locale.ROOT,
                  "%-28s %9.4f %9.2f %9.2f %10s%n",
                  label,
                  r.ndcg,
                  r.p50Ms,
                  r.p99Ms,
                  Double.isNaN(r.recall) ? "" : String.format(Locale.ROOT, "%.4f", r.recall)));
      for (SearchMode mode : SearchMode.values()) {
        String m = mode.name().toLowerCase(Locale.ROOT);
        Result l = results.get("lucene " + m);
        Result p = results.get("postgres " + m);
        out.printf(
            Locale.ROOT,
            "postgres/lucene %-7s nDCG@10 %+.4f, p50 x%.2f, p99 x%.2f%n",
            m,
            p.ndcg - l.ndcg,
            p.p50Ms / l.p50Ms,
            p.p99Ms / l.p99Ms);
      }
    } finally {
      admin(adminUrl, "DROP DATABASE IF EXISTS " + dbName + " WITH (FORCE)");
      try (Stream<Path> files = Files.walk(luceneDir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private record Result(double ndcg, double p50Ms, double p99Ms, double recall) {}

  private static double ingest(Index index, List<DocumentWrite> writes, int batch) {
    long start = System.nanoTime();
    for (int i = 0; i < writes.size(); i += batch) {
      index.write(writes.subList(i, Math.min(writes.size(), i + batch)));
    }
    return writes.size() / ((System.nanoTime() - start) / 1e9);
  }

  /**
   * One warm-up pass, then {@code passes} timed passes of every query through the product's {@link
   * Searcher}; nDCG@10 from the first timed pass; recall@10 against the exact scan in vector mode.
   */
  private static Result measure(
      Index index,
      EmbeddingModel queryModel,
      Map<String, String> queries,
      BeirDataset dataset,
      SearchMode mode,
      int passes,
      List<CorpusRecord> corpus,
      int[][] exact) {
    Searcher searcher = Searcher.create(index, queryModel, SearchConfig.DEFAULT);
    List<Double> latencies = new ArrayList<>();
    double ndcg = 0;
    double recall = 0;
    for (int pass = 0; pass <= passes; pass++) {
      int qi = 0;
      for (Map.Entry<String, String> q : queries.entrySet()) {
        long start = System.nanoTime();
        List<Hit> hits = searcher.search(new SearchRequest(q.getValue(), K, mode, Map.of())).hits();
        long nanos = System.nanoTime() - start;
        if (pass > 0) {
          latencies.add(nanos / 1e6);
        }
        if (pass == 1) {
          List<String> ranking = hits.stream().map(Hit::docId).toList();
          ndcg += RetrievalMetrics.ndcg(ranking, dataset.judgments(q.getKey()), K);
          if (mode == SearchMode.VECTOR) {
            Set<String> found = Set.copyOf(ranking);
            int overlap = 0;
            for (int d : exact[qi]) {
              if (found.contains(corpus.get(d).id())) {
                overlap++;
              }
            }
            recall += (double) overlap / exact[qi].length;
          }
        }
        qi++;
      }
    }
    double[] ms = latencies.stream().mapToDouble(Double::doubleValue).toArray();
    int n = queries.size();
    return new Result(
        ndcg / n,
        Samples.percentile(ms, 50),
        Samples.percentile(ms, 99),
        mode == SearchMode.VECTOR ? recall / n : Double.NaN);
  }

  /** The exact top-{@value #K} documents of each query by dot product (vectors are unit length). */
  private static int[][] exactTopK(float[][] docs, float[][] queries) {
    int[][] top = new int[queries.length][];
    for (int q = 0; q < queries.length; q++) {
      int k = Math.min(K, docs.length);
      int[] best = new int[k];
      double[] scores = new double[k];
      java.util.Arrays.fill(scores, Double.NEGATIVE_INFINITY);
      for (int d = 0; d < docs.length; d++) {
        double s = 0;
        for (int i = 0; i < docs[d].length; i++) {
          s += docs[d][i] * queries[q][i];
        }
        if (s > scores[k - 1]) {
          int j = k - 1;
          while (j > 0 && scores[j - 1] < s) {
            scores[j] = scores[j - 1];
            best[j] = best[j - 1];
            j--;
          }
          scores[j] = s;
          best[j] = d;
        }
      }
      top[q] = best;
    }
    return top;
  }

  /** Vectors of {@code texts}, read from {@code file} if an earlier run wrote it. */
  private static float[][] cached(
      Path file, List<String> texts, OnnxEmbeddingModel model, boolean asQueries)
      throws IOException {
    if (Files.exists(file)) {
      try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
        int n = in.readInt();
        int dim = in.readInt();
        if (n == texts.size()) {
          float[][] v = new float[n][dim];
          for (float[] row : v) {
            for (int i = 0; i < dim; i++) {
              row[i] = in.readFloat();
            }
          }
          return v;
        }
      }
    }
    float[][] v = new float[texts.size()][];
    int step = 256;
    for (int i = 0; i < texts.size(); i += step) {
      List<String> slice = texts.subList(i, Math.min(texts.size(), i + step));
      List<float[]> vectors =
          asQueries
              ? slice.stream().map(model::embedQuery).toList()
              : model.embed(slice, EmbeddingModel.Purpose.DOCUMENT);
      for (int j = 0; j < vectors.size(); j++) {
        v[i + j] = vectors.get(j);
      }
      System.err.printf(Locale.ROOT, "embedded %d of %d%n", i + slice.size(), texts.size());
    }
    try (DataOutputStream outStream = new DataOutputStream(Files.newOutputStream(file))) {
      outStream.writeInt(v.length);
      outStream.writeInt(v.length == 0 ? 0 : v[0].length);
      for (float[] row : v) {
        for (float x : row) {
          outStream.writeFloat(x);
        }
      }
    }
    return v;
  }

  /** The superuser JDBC URL of {@code --postgres}, else {@code $TEST_POSTGRES_URL}. */
  static String adminUrl(Options o) {
    String url = o.string("--postgres", System.getenv("TEST_POSTGRES_URL"));
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException(
          "--postgres (or TEST_POSTGRES_URL) must name a PostgreSQL server with pgvector;"
              + " `source .ci/postgres.sh` starts one");
    }
    return url;
  }

  static void admin(String adminUrl, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(adminUrl);
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /** Settings for database {@code db} on the server of {@code adminUrl} (user from its query). */
  static PgSettings settingsFor(String adminUrl, String db) {
    String rest = adminUrl.substring("jdbc:postgresql://".length());
    String hostPort = rest.substring(0, rest.indexOf('/'));
    String user = "postgres";
    int q = rest.indexOf('?');
    if (q >= 0) {
      for (String pair : rest.substring(q + 1).split("&")) {
        if (pair.startsWith("user=")) {
          user = pair.substring(5);
        }
      }
    }
    return PgSettings.parse("postgres://" + user + "@" + hostPort + "/" + db, System.getenv());
  }
}
