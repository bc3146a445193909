package dev.ragtime.eval;

import dev.ragtime.embed.EmbeddingModel;
import dev.ragtime.index.Hit;
import dev.ragtime.index.Index;
import dev.ragtime.index.IndexSnapshot;
import dev.ragtime.index.IndexStats;
import dev.ragtime.search.SearchConfig;
import dev.ragtime.search.SearchMode;
import dev.ragtime.search.SearchRequest;
import dev.ragtime.search.Searcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
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
 *   <li>{@link EvalProtocol#CHUNKED}: each ranked chunk list (BM25, vector) is turned into a
 *       document list by best chunk, fetched deep enough to hold {@code max(100, candidates)}
 *       documents, and in hybrid mode the two document lists are fused with the config's reciprocal
 *       rank fusion.
 * </ul>
 *
 * <p>Latency is the wall-clock time of each search, including embedding the query; one untimed
 * warm-up search precedes each mode, so loading the model is not counted.
 *
 * <p>Not thread-safe: run one evaluation at a time. Close it to close the index.
 */
public final class EvalCollection implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EvalCollection.class);

  private final Index index;
  private final EvalProtocol protocol;
  private final Supplier<? extends EmbeddingModel> model;
  private final IndexingSummary indexing;
  private final LongSupplier nanoTime;

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
   * Each query's separate BM25 and vector document rankings, {@code depth} documents deep, for
   * {@link FusionTuner}.
   */
  public List<QueryLists> lists(BeirDataset split, int depth) {
    double ratio = chunksPerDocument();
    List<QueryLists> out = new ArrayList<>(split.queries().size());
    for (Map.Entry<String, String> q : split.queries().entrySet()) {
      float[] v = embed(q.getValue());
      try (IndexSnapshot snapshot = index.snapshot()) {
        out.add(
            new QueryLists(
                q.getKey(),
                DocumentLists.ids(DocumentLists.lexical(snapshot, q.getValue(), depth, ratio)),
                DocumentLists.ids(DocumentLists.vector(snapshot, v, depth, ratio)),
                split.judgments(q.getKey())));
      }
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
    if (protocol == EvalProtocol.BEIR) {
      Searcher searcher = Searcher.create(index, model, search);
      return query -> {
        List<Hit> hits = searcher.search(new SearchRequest(query, k, mode, Map.of())).hits();
        return DocumentLists.ids(DocumentLists.byBestChunk(hits, k));
      };
    }
    double ratio = chunksPerDocument();
    int depth = Math.max(k, search.candidates());
    return query -> {
      boolean needsVector =
          mode == SearchMode.VECTOR || (mode == SearchMode.HYBRID && search.vectorWeight() > 0);
      float[] vector = needsVector ? embed(query) : null;
      try (IndexSnapshot snapshot = index.snapshot()) {
        List<Hit> docs =
            switch (mode) {
              case BM25 -> DocumentLists.lexical(snapshot, query, k, ratio);
              case VECTOR -> DocumentLists.vector(snapshot, vector, k, ratio);
              case HYBRID ->
                  DocumentLists.fuse(
                      search.lexicalWeight() > 0
                          ? DocumentLists.lexical(snapshot, query, depth, ratio)
                          : List.of(),
                      search.vectorWeight() > 0
                          ? DocumentLists.vector(snapshot, vector, depth, ratio)
                          : List.of(),
                      search,
                      k);
            };
        return DocumentLists.ids(docs);
      }
    };
  }

  private double chunksPerDocument() {
    IndexStats stats = index.stats();
    return stats.documents() == 0 ? 1 : (double) stats.chunks() / stats.documents();
  }

  private float[] embed(String query) {
    List<float[]> vectors = model.get().embed(List.of(query));
    if (vectors.size() != 1) {
      throw new IllegalStateException(
          "the embedding model returned " + vectors.size() + " vectors for one query");
    }
    return vectors.get(0);
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
