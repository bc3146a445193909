package dev.ragtime.embed;

import java.util.Objects;

/**
 * Identity of an embedding model, as recorded in an index. Two models with the same {@code id} and
 * {@code dimension} produce vectors that may share an index; anything else must not.
 *
 * @param id stable model identifier, e.g. {@code sentence-transformers/all-MiniLM-L6-v2}
 * @param dimension vector length, positive
 * @param maxTokens the longest input, in the model's tokens, that is embedded without truncation
 */
public record ModelInfo(String id, int dimension, int maxTokens) {
  public ModelInfo {
    Objects.requireNonNull(id, "id");
    if (id.isBlank()) {
      throw new IllegalArgumentException("model id must not be blank");
    }
    if (dimension < 1 || dimension > 16_384) {
      throw new IllegalArgumentException("dimension must be in [1, 16384], was " + dimension);
    }
    if (maxTokens < 1) {
      throw new IllegalArgumentException("maxTokens must be positive, was " + maxTokens);
    }
  }

  /** True when vectors of {@code other} may be stored beside vectors of this model. */
  public boolean compatibleWith(ModelInfo other) {
    return id.equals(other.id) && dimension == other.dimension;
  }

  @Override
  public String toString() {
    return id + " (" + dimension + " dimensions)";
  }
}
