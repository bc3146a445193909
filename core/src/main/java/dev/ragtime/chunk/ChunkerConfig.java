package dev.ragtime.chunk;

/**
 * How {@link Chunker} sizes chunks. All sizes are in tokens of the chunker's {@link TokenCounter}.
 *
 * <p>Why the default budget is {@value #DEFAULT_MAX_TOKENS}: all-MiniLM-L6-v2 reads at most 256
 * word-pieces including [CLS] and [SEP], so 254 for text. Ingestion usually prefixes a chunk with
 * its document title or heading path before embedding (the BEIR convention is {@code title + " " +
 * text}), and that prefix must fit too; 200 leaves 54 word-pieces for it, so nothing is truncated
 * away silently. Overlap defaults to {@value #DEFAULT_OVERLAP_TOKENS} tokens (16% of the budget):
 * enough to carry the last sentence or two into the next chunk.
 *
 * @param maxTokens the most tokens a chunk may have, overlap included; at least 1
 * @param overlapTokens how many tokens of trailing sentences a chunk may repeat from the previous
 *     chunk of the same section; 0 disables overlap; less than {@code maxTokens}
 * @param minChunkTokens a chunk holding fewer body tokens than this is not closed at a heading: the
 *     next section continues it, so a run of tiny sections does not become a run of tiny chunks; 0
 *     closes a chunk at every heading; at most {@code maxTokens}
 */
public record ChunkerConfig(int maxTokens, int overlapTokens, int minChunkTokens) {
  /** Default chunk budget, see the class comment. */
  public static final int DEFAULT_MAX_TOKENS = 200;

  /** Default overlap between consecutive chunks of one section. */
  public static final int DEFAULT_OVERLAP_TOKENS = 32;

  /** Default threshold below which a chunk is continued across a heading. */
  public static final int DEFAULT_MIN_CHUNK_TOKENS = 32;

  /** Upper bound for {@code maxTokens}: far beyond any embedding model's input. */
  public static final int MAX_TOKENS_LIMIT = 1 << 20;

  /** Version of the chunking algorithm; part of {@link #fingerprint()}. */
  static final String ALGORITHM_VERSION = "1";

  public ChunkerConfig {
    if (maxTokens < 1 || maxTokens > MAX_TOKENS_LIMIT) {
      throw new IllegalArgumentException(
          "maxTokens must be in [1, " + MAX_TOKENS_LIMIT + "], was " + maxTokens);
    }
    if (overlapTokens < 0 || overlapTokens >= maxTokens) {
      throw new IllegalArgumentException(
          "overlapTokens must be in [0, maxTokens) = [0, " + maxTokens + "), was " + overlapTokens);
    }
    if (minChunkTokens < 0 || minChunkTokens > maxTokens) {
      throw new IllegalArgumentException(
          "minChunkTokens must be in [0, maxTokens] = [0, "
              + maxTokens
              + "], was "
              + minChunkTokens);
    }
  }

  /** The defaults: 200 tokens, 32 overlap, 32 minimum before a heading closes a chunk. */
  public static ChunkerConfig defaults() {
    return new ChunkerConfig(DEFAULT_MAX_TOKENS, DEFAULT_OVERLAP_TOKENS, DEFAULT_MIN_CHUNK_TOKENS);
  }

  /**
   * A config with the given budget and overlap, and {@code minChunkTokens = min(32, maxTokens /
   * 4)}.
   */
  public static ChunkerConfig of(int maxTokens, int overlapTokens) {
    return new ChunkerConfig(
        maxTokens, overlapTokens, Math.min(DEFAULT_MIN_CHUNK_TOKENS, Math.max(0, maxTokens / 4)));
  }

  /** A copy with another budget. */
  public ChunkerConfig withMaxTokens(int maxTokens) {
    return new ChunkerConfig(maxTokens, overlapTokens, minChunkTokens);
  }

  /** A copy with another overlap. */
  public ChunkerConfig withOverlapTokens(int overlapTokens) {
    return new ChunkerConfig(maxTokens, overlapTokens, minChunkTokens);
  }

  /** A copy with another minimum. */
  public ChunkerConfig withMinChunkTokens(int minChunkTokens) {
    return new ChunkerConfig(maxTokens, overlapTokens, minChunkTokens);
  }

  /**
   * A stable string naming these settings and the algorithm version, for example {@code
   * "chunker/1;max=200;overlap=32;min=32"}. Include it in content fingerprints so that changing the
   * chunking re-chunks documents. It does not name the token counter: include the embedding model's
   * id for that.
   */
  public String fingerprint() {
    return "chunker/"
        + ALGORITHM_VERSION
        + ";max="
        + maxTokens
        + ";overlap="
        + overlapTokens
        + ";min="
        + minChunkTokens;
  }
}
