package dev.ragtime.embed;

import java.util.Objects;

/**
 * Identity of an embedding model, as recorded in an index. Two models with the same {@code id},
 * {@code dimension}, {@code maxTokens} and {@code variant} produce the same vector for the same
 * text, so their vectors may share an index (and a cache); anything else must not. The truncation
 * counts because it changes the vector of every text longer than it.
 *
 * @param id stable model identifier, e.g. {@code sentence-transformers/all-MiniLM-L6-v2}
 * @param dimension vector length, positive
 * @param maxTokens the longest input, in the model's tokens, that is embedded without truncation
 * @param variant whatever else changes the vectors of one model id: quantisation, the prefixes put
 *     before queries or documents (e.g. {@code int8}); empty for none
 */
public record ModelInfo(String id, int dimension, int maxTokens, String variant) {
  public ModelInfo {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(variant, "variant");
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

  /** A model without variant. */
  public ModelInfo(String id, int dimension, int maxTokens) {
    this(id, dimension, maxTokens, "");
  }

  /**
   * True when vectors of {@code other} may be stored beside vectors of this model: same id,
   * dimension, truncation and variant.
   */
  public boolean compatibleWith(ModelInfo other) {
    return id.equals(other.id)
        && dimension == other.dimension
        && maxTokens == other.maxTokens
        && variant.equals(other.variant);
  }

  /**
   * Everything in this identity that changes a vector, as one stable string (for cache namespaces
   * and content fingerprints): {@code <id>|dims=<dimension>|max-tokens=<maxTokens>}, then {@code
   * |variant=<variant>} when there is one (so fingerprints from before variants existed hold).
   */
  public String fingerprint() {
    String base = id + "|dims=" + dimension + "|max-tokens=" + maxTokens;
    return variant.isEmpty() ? base : base + "|variant=" + variant;
  }

  @Override
  public String toString() {
    return id
        + (variant.isEmpty() ? "" : " [" + variant + "]")
        + " ("
        + dimension
        + " dimensions, inputs truncated at "
        + maxTokens
        + " tokens)";
  }
}
