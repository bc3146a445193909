package dev.ragtime.search;

import dev.ragtime.embed.EmbeddingModel;
import dev.ragtime.index.Hit;
import dev.ragtime.index.Index;
import dev.ragtime.index.IndexSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Answers queries against one {@link Index}: BM25, vector kNN, or both fused with {@link
 * ReciprocalRankFusion}.
 *
 * <p>Each search reads one {@link IndexSnapshot}, so in hybrid mode the BM25 and the vector list
 * come from the same version of every document. Each list is {@code max(k, candidates)} deep (for
 * kNN that is also the HNSW beam), and the top k are returned. A list whose fusion weight is 0 is
 * not computed at all.
 *
 * <p>The embedding model is obtained lazily, on the first search that needs a query vector, so a
 * BM25-only caller never loads it. The model is borrowed: this class never closes it.
 *
 * <p>Thread-safe.
 */
public final class Searcher {
  private final Index index;
  private final Supplier<? extends EmbeddingModel> modelSupplier;
  private final SearchConfig config;
  private final LongSupplier nanoTime;
  private volatile EmbeddingModel model;

  private Searcher(
      Index index,
      Supplier<? extends EmbeddingModel> modelSupplier,
      SearchConfig config,
      LongSupplier nanoTime) {
    this.index = Objects.requireNonNull(index, "index");
    this.modelSupplier = Objects.requireNonNull(modelSupplier, "modelSupplier");
    this.config = Objects.requireNonNull(config, "config");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
  }

  /**
   * A searcher that asks {@code model} for the embedding model the first time a query needs a
   * vector (at most once on success). The supplied model must be compatible with the index's.
   */
  public static Searcher create(
      Index index, Supplier<? extends EmbeddingModel> model, SearchConfig config) {
    return new Searcher(index, model, config, System::nanoTime);
  }

  /** A searcher with an embedding model at hand. */
  public static Searcher create(Index index, EmbeddingModel model, SearchConfig config) {
    Objects.requireNonNull(model, "model");
    return create(index, () -> model, config);
  }

  /** Like {@link #create(Index, Supplier, SearchConfig)} with an injected nanosecond clock. */
  static Searcher create(
      Index index,
      Supplier<? extends EmbeddingModel> model,
      SearchConfig config,
      LongSupplier nanoTime) {
    return new Searcher(index, model, config, nanoTime);
  }

  public SearchConfig config() {
    return config;
  }

  /**
   * Runs one query.
   *
   * @throws IllegalStateException if the embedding model is incompatible with the index, or the
   *     index is closed
   */
  public SearchResult search(SearchRequest request) {
    Objects.requireNonNull(request, "request");
    long start = nanoTime.getAsLong();
    int depth = Math.max(request.k(), config.candidates());
    List<Hit> hits =
        switch (request.mode()) {
          case BM25 -> {
            try (IndexSnapshot snapshot = index.snapshot()) {
              yield snapshot.lexical(request.query(), request.filters(), request.k());
            }
          }
          case VECTOR -> {
            float[] vector = embed(request.query());
            try (IndexSnapshot snapshot = index.snapshot()) {
              yield truncate(snapshot.vector(vector, request.filters(), depth), request.k());
            }
          }
          case HYBRID -> hybrid(request, depth);
        };
    long micros = Math.max(0, (nanoTime.getAsLong() - start) / 1_000);
    return new SearchResult(hits, request.mode(), micros);
  }

  private List<Hit> hybrid(SearchRequest request, int depth) {
    boolean useLexical = config.lexicalWeight() > 0;
    boolean useVector = config.vectorWeight() > 0;
    // Embed before taking the snapshot, so the snapshot is held only while the index is read.
    float[] vector = useVector ? embed(request.query()) : null;
    List<List<Hit>> lists = new ArrayList<>(2);
    List<Double> weights = new ArrayList<>(2);
    try (IndexSnapshot snapshot = index.snapshot()) {
      if (useLexical) {
        lists.add(snapshot.lexical(request.query(), request.filters(), depth));
        weights.add(config.lexicalWeight());
      }
      if (useVector) {
        lists.add(snapshot.vector(vector, request.filters(), depth));
        weights.add(config.vectorWeight());
      }
    }
    return ReciprocalRankFusion.fuse(lists, weights, config.rrfK(), request.k());
  }

  private float[] embed(String query) {
    List<float[]> vectors = model().embed(List.of(query));
    if (vectors.size() != 1) {
      throw new IllegalStateException(
          "embedding model returned " + vectors.size() + " vectors for one query");
    }
    return vectors.get(0);
  }

  private EmbeddingModel model() {
    EmbeddingModel m = model;
    if (m == null) {
      synchronized (this) {
        m = model;
        if (m == null) {
          m = Objects.requireNonNull(modelSupplier.get(), "the model supplier returned null");
          if (!m.info().compatibleWith(index.model())) {
            throw new IllegalStateException(
                "the embedding model "
                    + m.info()
                    + " cannot search an index built with "
                    + index.model());
          }
          model = m;
        }
      }
    }
    return m;
  }

  private static List<Hit> truncate(List<Hit> hits, int k) {
    return hits.size() <= k ? hits : List.copyOf(hits.subList(0, k));
  }

  @Override
  public String toString() {
    return "Searcher[" + index + ", " + config + "]";
  }
}
