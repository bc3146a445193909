package dev.ragtime.eval;

import dev.ragtime.embed.EmbeddingModel;
import dev.ragtime.embed.ModelInfo;
import dev.ragtime.index.Index;
import dev.ragtime.index.IndexStats;
import dev.ragtime.search.DocumentHit;
import dev.ragtime.search.SearchConfig;
import dev.ragtime.search.SearchMode;
import dev.ragtime.search.SearchRequest;
import dev.ragtime.search.Searcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dataset's corpus indexed for evaluation (see {@link BeirEvaluation#open}), ready to run the
 * queries of any split of that dataset.
 *
 * <p>Each mode runs every evaluated query once, one after the other, and ranks {@value
 * MetricScores#DEPTH} documents per query:
 *
 * <ul>
 *   <li>{@link EvalProtocol#BEIR}: one index entry per document, so the ranking is exactly what
 *       {@link Searcher#search} returns for {@code k = 100} with the given {@link SearchConfig};
 *   <li>{@link EvalProtocol#CHUNKED}: the ranking is {@link Searcher#searchDocuments}: in each
 *       ranked chunk list (BM25, vector) a document scores as its best chunk, and in hybrid mode
 *       the best {@code max(100, candidates)} documents of each list are fused as the config says
 *       ({@link Searcher#fuseDocuments}). Each chunk list is asked for enough chunks to hold about
 *       {@code max(100, candidates)} documents (in hybrid mode) or 100 documents (single lists,
 *       deepened until 100 distinct documents come back).
 * </ul>
 *
 * <p>Latency is the wall-clock time of each search proper: before a mode that needs query vectors
 * runs, every query of the split is embedded once, in batches of {@value #QUERY_BATCH}, untimed,
 * and the searcher is served those vectors. So the figures measure the index and the fusion, are
 * comparable between modes and runs, and do not depend on whether the embedding pipeline's cache
 * already held a query. One untimed warm-up search precedes each mode.
 *
 * <p>Not thread-safe: run one evaluation at a time. Close it to close the index.
 */
public final class EvalCollection implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EvalCollection.class);

  /** Queries per embedding call when queries are embedded up front. */
  static final int QUERY_BATCH = 64;

  private final Index index;
  private final EvalProtocol protocol;
  private final Supplier<? extends EmbeddingModel> model;
  private final IndexingSummary indexing;
  private final LongSupplier nanoTime;

  /** Query text to vector, filled up front per split (see the class comment). */
  private final Map<String, float[]> queryVectors = new HashMap<>();

  EvalCollection(
      Index index,
      EvalProtocol protocol,
      Supplier<? extends EmbeddingModel> model,
      IndexingSummary indexing,
      LongSupplier nanoTime) {
    this.index = Objects.requireNonNull(index, "index");
    this.protocol = Objects.requireNonNull(protocol, "protocol");
    this.model = Objects.requireNonNull(model, "model");
    this.indexing = Objects.requireNonNull(indexing, "indexing");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
  }

  /** What preparing the collection did. */
  public IndexingSummary indexing() {
    return indexing;
  }

  public EvalProtocol protocol() {
    return protocol;
  }

  /** The index searched; owned by this collection. */
  public Index index() {
    return index;
  }

  /**
   * Runs the split's queries in each mode.
   *
   * @param split a split of the dataset this collection was built from
   * @param modes the modes, run in this order
   * @param search fusion settings (used by hybrid mode)
   */
  public EvalReport evaluate(BeirDataset split, List<SearchMode> modes, SearchConfig search) {
    Map<SearchMode, ModeResult> results = new LinkedHashMap<>();
    for (SearchMode mode : modes) {
      results.put(mode, evaluate(split, mode, search));
    }
    return new EvalReport(
        split.name(), split.split(), split.queries().size(), protocol, search, results);
  }

  /** Runs the split's queries in one mode. */
  public ModeResult evaluate(BeirDataset split, SearchMode mode, SearchConfig search) {
    Objects.requireNonNull(split, "split");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(search, "search");
    if (split.queries().isEmpty()) {
      throw new IllegalArgumentException(
          "split '" + split.split() + "' of " + split.name() + " has no query to evaluate");
    }
    boolean needsVectors =
        mode == SearchMode.VECTOR || (mode == SearchMode.HYBRID && search.fusesVector());
    if (needsVectors) {
      embedQueries(split);
    }
    Ranker ranker = ranker(mode, search);
    ranker.rank(split.queries().values().iterator().next()); // warm-up, untimed
    List<MetricScores> perQuery = new ArrayList<>(split.queries().size());
    long[] nanos = new long[split.queries().size()];
    int i = 0;
    for (Map.Entry<String, String> q : split.queries().entrySet()) {
      long start = nanoTime.getAsLong();
      List<String> ranking = ranker.rank(q.getValue());
      nanos[i++] = nanoTime.getAsLong() - start;
      perQuery.add(MetricScores.of(ranking, split.judgments(q.getKey())));
    }
    MetricScores mean = MetricScores.mean(perQuery);
    ModeResult result =
        new ModeResult(mode, mean, percentileMs(nanos, 50), percentileMs(nanos, 99));
    log.info("{}/{} {} {}: {}", split.name(), split.split(), protocol.label(), mode.label(), mean);
    return result;
  }

  /**
   * Each query's separate BM25 and vector document rankings, {@code depth} documents deep (by best
   * chunk), for {@link FusionTuner}.
   *
   * @param depth documents per list, in [1, 1000]
   */
  public List<QueryLists> lists(BeirDataset split, int depth) {
    if (depth < 1 || depth > SearchRequest.MAX_K) {
      throw new IllegalArgumentException(
          "depth must be in [1, " + SearchRequest.MAX_K + "], was " + depth);
    }
    embedQueries(split);
    Searcher searcher = Searcher.create(index, this::queryModel, SearchConfig.DEFAULT);
    Shape shape = shape();
    List<QueryLists> out = new ArrayList<>(split.queries().size());
    for (Map.Entry<String, String> q : split.queries().entrySet()) {
      List<DocumentHit> lexical =
          documents(searcher, shape, q.getValue(), SearchMode.BM25, depth, depth);
      List<DocumentHit> vector =
          documents(searcher, shape, q.getValue(), SearchMode.VECTOR, depth, depth);
      out.add(new QueryLists(q.getKey(), lexical, vector, split.judgments(q.getKey())));
    }
    return out;
  }

  @Override
  public void close() {
    index.close();
  }

  @Override
  public String toString() {
    return "EvalCollection[" + indexing.collection() + ", " + protocol.label() + "]";
  }

  // ---------------------------------------------------------------------------------------------

  @FunctionalInterface
  private interface Ranker {
    List<String> rank(String query);
  }

  private Ranker ranker(SearchMode mode, SearchConfig search) {
    int k = MetricScores.DEPTH;
    Searcher searcher = Searcher.create(index, this::queryModel, search);
    if (protocol == EvalProtocol.BEIR) {
      return query ->
          DocumentLists.distinctDocuments(
              searcher.search(new SearchRequest(query, k, mode, Map.of())).hits());
    }
    Shape shape = shape();
    int listDocuments = mode == SearchMode.HYBRID ? Math.max(k, search.candidates()) : k;
    return query -> DocumentLists.ids(documents(searcher, shape, query, mode, k, listDocuments));
  }

  /** Embeds the split's queries that have no vector yet, in batches. */
  private void embedQueries(BeirDataset split) {
    List<String> missing = new ArrayList<>();
    for (String q : new LinkedHashSet<>(split.queries().values())) {
      if (!queryVectors.containsKey(q)) {
        missing.add(q);
      }
    }
    long start = nanoTime.getAsLong();
    for (int from = 0; from < missing.size(); from += QUERY_BATCH) {
      List<String> batch = missing.subList(from, Math.min(missing.size(), from + QUERY_BATCH));
      List<float[]> vectors = model.get().embed(batch, EmbeddingModel.Purpose.QUERY);
      if (vectors.size() != batch.size()) {
        throw new IllegalStateException(
            "the embedding model returned " + vectors.size() + " vectors for " + batch.size());
      }
      for (int i = 0; i < batch.size(); i++) {
        queryVectors.put(batch.get(i), vectors.get(i));
      }
    }
    if (!missing.isEmpty()) {
      log.info(
          "embedded {} queries in {} ms",
          missing.size(),
          (nanoTime.getAsLong() - start) / 1_000_000);
    }
  }

  /** The model as the searcher sees it: queries embedded up front are served from memory. */
  private EmbeddingModel queryModel() {
    EmbeddingModel m = model.get();
    return new EmbeddingModel() {
      @Override
      public ModelInfo info() {
        return m.info();
      }

      @Override
      public List<float[]> embed(List<String> texts) {
        return m.embed(texts);
      }

      @Override
      public List<float[]> embed(List<String> texts, Purpose purpose) {
        if (purpose != Purpose.QUERY) {
          return m.embed(texts, purpose);
        }
        List<float[]> out = new ArrayList<>(texts.size());
        for (String t : texts) {
          float[] v = queryVectors.get(t);
          out.add(v != null ? v : m.embedQuery(t));
        }
        return out;
      }
    };
  }

  /** Chunk and document counts of the index, read once per run. */
  private record Shape(long chunks, double chunksPerDocument) {}

  private Shape shape() {
    IndexStats stats = index.stats();
    double ratio = stats.documents() == 0 ? 1 : (double) stats.chunks() / stats.documents();
    return new Shape(stats.chunks(), Math.max(1, ratio));
  }

  /**
   * The best {@code k} documents, each ranked list holding about {@code listDocuments} documents:
   * asks for {@code listDocuments × chunks per document × 1.5} chunks, and (single lists) twice as
   * many while fewer than {@code k} documents come back and the index has more chunks.
   */
  private static List<DocumentHit> documents(
      Searcher searcher, Shape shape, String query, SearchMode mode, int k, int listDocuments) {
    int depth =
        (int)
            Math.min(
                Searcher.MAX_DEPTH,
                Math.ceil(listDocuments * shape.chunksPerDocument() * 1.5) + 10);
    SearchRequest request = new SearchRequest(query, k, mode, Map.of());
    List<DocumentHit> hits = searcher.searchDocuments(request, depth);
    while (mode != SearchMode.HYBRID
        && hits.size() < k
        && depth < Math.min(Searcher.MAX_DEPTH, shape.chunks())) {
      depth = Math.min(Searcher.MAX_DEPTH, depth * 2);
      hits = searcher.searchDocuments(request, depth);
    }
    return hits;
  }

  /** Nearest-rank percentile of durations in nanoseconds, in milliseconds. */
  static double percentileMs(long[] nanos, int percentile) {
    if (nanos.length == 0) {
      return 0;
    }
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(percentile / 100.0 * sorted.length);
    return sorted[Math.max(0, rank - 1)] / 1e6;
  }
}
