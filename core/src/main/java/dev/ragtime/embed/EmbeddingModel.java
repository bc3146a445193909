package dev.ragtime.embed;

import java.util.List;

/**
 * The seam between Ragtime and whatever turns text into vectors: the local ONNX model, a remote
 * provider behind the embedding pipeline, or a test fake.
 *
 * <p>Contract: {@link #embed} returns exactly one vector per input, in input order, each of length
 * {@code info().dimension()} and L2-normalised (so cosine similarity equals the dot product).
 * Implementations are thread-safe. Inputs longer than {@code info().maxTokens()} are truncated by
 * the implementation, never rejected. Failures surface as unchecked exceptions; the interrupt flag
 * is restored when a call is interrupted.
 *
 * <p>Every text is embedded for a {@link Purpose}: a passage to be stored ({@link #embed(List)}) or
 * a search query ({@link #embedQuery(String)}). Some models embed the two differently (BGE prefixes
 * an instruction to queries); for those that do not, both give the same vector. Callers say which
 * they mean, so that switching models never needs a change at the call site.
 *
 * <p>Implementations that hold native resources or connections must be closed.
 */
public interface EmbeddingModel extends AutoCloseable {

  /** What a text is embedded for. */
  enum Purpose {
    /** A search query: latency matters, and some models prefix an instruction to it. */
    QUERY,
    /** A passage (document or chunk) to be stored in an index. */
    DOCUMENT
  }

  /** Which model this is: its identity is recorded in every index it builds. */
  ModelInfo info();

  /**
   * Embeds passages ({@link Purpose#DOCUMENT}).
   *
   * @param texts non-null, non-null elements; may be empty
   * @return one L2-normalised vector per text, in the same order
   */
  List<float[]> embed(List<String> texts);

  /**
   * Embeds the texts for {@code purpose}. The default ignores the purpose, which is right for a
   * model that embeds queries and passages alike; a model that does not overrides this.
   *
   * @param texts non-null, non-null elements; may be empty
   * @return one L2-normalised vector per text, in the same order
   */
  default List<float[]> embed(List<String> texts, Purpose purpose) {
    return embed(texts);
  }

  /** Embeds one search query ({@link Purpose#QUERY}). */
  default float[] embedQuery(String query) {
    List<float[]> vectors = embed(List.of(query), Purpose.QUERY);
    if (vectors.size() != 1) {
      throw new IllegalStateException(
          "the embedding model returned " + vectors.size() + " vectors for one query");
    }
    return vectors.getFirst();
  }

  /** Releases native resources and connections. Idempotent. */
  @Override
  default void close() {}
}
