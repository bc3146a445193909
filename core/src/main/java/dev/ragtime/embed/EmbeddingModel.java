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
 * <p>Implementations that hold native resources or connections must be closed.
 */
public interface EmbeddingModel extends AutoCloseable {

  /** Which model this is: its identity is recorded in every index it builds. */
  ModelInfo info();

  /**
   * Embeds the texts.
   *
   * @param texts non-null, non-null elements; may be empty
   * @return one L2-normalised vector per text, in the same order
   */
  List<float[]> embed(List<String> texts);

  /** Releases native resources and connections. Idempotent. */
  @Override
  default void close() {}
}
