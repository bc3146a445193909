package dev.ragtime.search;

import dev.ragtime.embed.EmbeddingModel;
import dev.ragtime.index.Candidate;
import dev.ragtime.index.Hit;
import dev.ragtime.index.IndexSnapshot;
import dev.ragtime.index.ModelMismatchException;
import dev.ragtime.index.SearchableIndex;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Answers queries against one {@link SearchableIndex} (an {@code Index} or a read-only view): BM25,
 * vector kNN, or both fused as {@link SearchConfig#fusion()} says: {@link ScoreFusion} (a convex
 * combination of normalised scores) or {@link ReciprocalRankFusion}.
 *
 * <p>Each search reads one {@link IndexSnapshot}, so in hybrid mode the BM25 and the vector list
 * come from the same version of every document. Each list is {@code max(k, candidates)} deep (for
 * kNN that is also the HNSW beam), and the top k are returned. A list whose fusion weight (or
 * share) is 0 is not computed at all. Lists are ranked and fused on {@link Candidate}s; text and
 * metadata are loaded for the final k hits only.
 *
 * <p>The embedding model is obtained lazily, on the first search that needs a query vector, so a
 * BM25-only caller never loads it. The model is borrowed: this class never closes it.
 *
 * <p>Thread-safe.
 */
public final class Searcher {
  /** The deepest candidate list {@link #searchDocuments} asks for. */
  public static final int MAX_DEPTH = 10_000;

  private final SearchableIndex index;
  private final Supplier<? extends EmbeddingModel> modelSupplier;
  private final SearchConfig config;
  private final LongSupplier nanoTime;
  private final ReentrantLock modelLock = new ReentrantLock();
  private volatile EmbeddingModel model; // set once, under modelLock

  private Searcher(
      SearchableIndex index,
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
   * vector (at most once on success). The supplied model must be compatible with the index's. The
   * index is borrowed: the caller closes it after the last search.
   */
  public static Searcher create(
      SearchableIndex index, Supplier<? extends EmbeddingModel> model, SearchConfig config) {
    return new Searcher(index, model, config, System::nanoTime);
  }

  /** A searcher with an embedding model at hand. */
  public static Searcher create(SearchableIndex index, EmbeddingModel model, SearchConfig config) {
    Objects.requireNonNull(model, "model");
    return create(index, () -> model, config);
  }

  /**
   * Like {@link #create(SearchableIndex, Supplier, SearchConfig)} with an injected nanosecond
   * clock.
   */
  static Searcher create(
      SearchableIndex index,
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
   * @throws ModelMismatchException if the query needs a vector and the embedding model is
   *     incompatible with the index
   * @throws IllegalStateException if the index is closed
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
              List<Candidate> ranked = snapshot.vectorCandidates(vector, request.filters(), depth);
              yield snapshot.load(truncate(ranked, request.k()));
            }
          }
          case HYBRID -> hybrid(request, depth);
        };
    long micros = Math.max(0, (nanoTime.getAsLong() - start) / 1_000);
    return new SearchResult(hits, request.mode(), micros);
  }

  /**
   * Ranks documents rather than chunks, for retrieval evaluation against document-level judgements.
   * Each list ({@code request.mode()} decides which: BM25, vector, or both) is asked for {@code
   * depth} chunks; within a list a document scores as its best chunk; in hybrid mode each document
   * ranking is cut at {@code max(k, candidates)} documents and the two are fused as the {@link
   * SearchConfig} says (see {@link #fuseDocuments}). Stored text is never loaded.
   *
   * @param depth chunk candidates per list, in [1, {@link #MAX_DEPTH}]; documents with no chunk
   *     among them are not found, so fewer than {@code request.k()} documents may come back
   * @return at most {@code request.k()} documents, best first; scores are best-chunk scores (BM25,
   *     vector) or fused scores (hybrid)
   * @throws IllegalArgumentException if {@code depth} is out of range
   * @throws ModelMismatchException if the query needs a vector and the embedding model is
   *     incompatible with the index
   */
  public List<DocumentHit> searchDocuments(SearchRequest request, int depth) {
    Objects.requireNonNull(request, "request");
    if (depth < 1 || depth > MAX_DEPTH) {
      throw new IllegalArgumentException("depth must be in [1, " + MAX_DEPTH + "], was " + depth);
    }
    boolean hybrid = request.mode() == SearchMode.HYBRID;
    boolean useLexical = request.mode() == SearchMode.BM25 || (hybrid && config.fusesLexical());
    boolean useVector = request.mode() == SearchMode.VECTOR || (hybrid && config.fusesVector());
    float[] vector = useVector ? embed(request.query()) : null;
    List<DocumentHit> lexical = List.of();
    List<DocumentHit> vectorList = List.of();
    try (IndexSnapshot snapshot = index.snapshot()) {
      if (useLexical) {
        lexical =
            DocumentRanking.byBestChunk(
                snapshot.lexicalCandidates(request.query(), request.filters(), depth));
      }
      if (useVector) {
        vectorList =
            DocumentRanking.byBestChunk(
                snapshot.vectorCandidates(vector, request.filters(), depth));
      }
    }
    if (!hybrid) {
      return truncate(useLexical ? lexical : vectorList, request.k());
    }
    return fuseDocuments(lexical, vectorList, config, request.k());
  }

  /**
   * Fuses a BM25 and a vector document ranking as {@link #searchDocuments} does in hybrid mode:
   * each list cut at {@code max(k, config.candidates())} documents, a list the config gives no
   * weight left out, fused as {@link SearchConfig#fusion()} says. Under score fusion a BM25 list
   * shorter than that cut is taken to hold every matching document (see {@link ScoreFusion}). Pure;
   * for evaluation tools that re-fuse fetched rankings under many settings.
   *
   * @param lexical documents by descending BM25 (best-chunk) score
   * @param vector documents by descending cosine (best-chunk) similarity
   * @param k how many documents to return, positive
   * @return at most {@code k} documents by descending fused score
   */
  public static List<DocumentHit> fuseDocuments(
      List<DocumentHit> lexical, List<DocumentHit> vector, SearchConfig config, int k) {
    int documents = Math.max(k, config.candidates());
    return fuse(
        config,
        config.fusesLexical() ? truncate(lexical, documents) : List.of(),
        config.fusesVector() ? truncate(vector, documents) : List.of(),
        k,
        documents,
        DocumentHit::docId,
        DocumentHit::score,
        (d, score) -> new DocumentHit(d.docId(), score));
  }

  private List<Hit> hybrid(SearchRequest request, int depth) {
    boolean useLexical = config.fusesLexical();
    boolean useVector = config.fusesVector();
    // Embed before taking the snapshot, so the snapshot is held only while the index is read.
    float[] vector = useVector ? embed(request.query()) : null;
    try (IndexSnapshot snapshot = index.snapshot()) {
      List<Candidate> lexical =
          useLexical
              ? snapshot.lexicalCandidates(request.query(), request.filters(), depth)
              : List.of();
      List<Candidate> vectorList =
          useVector ? snapshot.vectorCandidates(vector, request.filters(), depth) : List.of();
      List<Candidate> fused =
          fuse(
              config,
              lexical,
              vectorList,
              request.k(),
              depth,
              Candidate::chunkId,
              Candidate::score,
              Candidate::withScore);
      return snapshot.load(fused);
    }
  }

  /** Fuses a BM25 and a vector list as the config says; a list the config does not use is empty. */
  private static <T> List<T> fuse(
      SearchConfig config,
      List<T> lexical,
      List<T> vector,
      int topN,
      int depth,
      Function<? super T, String> id,
      ToDoubleFunction<? super T> score,
      BiFunction<? super T, Float, ? extends T> rescore) {
    return switch (config.fusion()) {
      case RRF ->
          ReciprocalRankFusion.fuse(
              List.of(lexical, vector),
              List.of(config.lexicalWeight(), config.vectorWeight()),
              config.rrfK(),
              topN,
              id,
              rescore);
      case SCORE ->
          ScoreFusion.fuse(
              lexical,
              vector,
              config.scoreWeight(),
              config.normalization(),
              topN,
              depth,
              id,
              score,
              rescore);
    };
  }

  private float[] embed(String query) {
    return model().embedQuery(query); // the query lane, and the model's query form
  }

  private EmbeddingModel model() {
    EmbeddingModel m = model;
    if (m == null) {
      // A lock, not synchronized: the supplier may load a model or ask a provider (blocking I/O),
      // which inside a monitor would pin a virtual thread's carrier on JDK 21.
      modelLock.lock();
      try {
        m = model;
        if (m == null) {
          m = Objects.requireNonNull(modelSupplier.get(), "the model supplier returned null");
          if (!m.info().compatibleWith(index.model())) {
            throw new ModelMismatchException(
                index.name(), index.model(), m.info(), index.reindexAdvice());
          }
          model = m;
        }
      } finally {
        modelLock.unlock();
      }
    }
    return m;
  }

  private static <T> List<T> truncate(List<T> items, int k) {
    return items.size() <= k ? List.copyOf(items) : List.copyOf(items.subList(0, k));
  }

  @Override
  public String toString() {
    return "Searcher[" + index + ", " + config + "]";
  }
}
