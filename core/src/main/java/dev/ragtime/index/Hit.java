package dev.ragtime.index;

import java.util.Map;
import java.util.Objects;

/**
 * One search result: a chunk and its score. Scores are comparable only within one result list (BM25
 * scores, cosine similarities and fused scores live on different scales).
 */
public record Hit(
    String docId, String chunkId, float score, String text, Map<String, String> metadata) {
  public Hit {
    Objects.requireNonNull(docId, "docId");
    Objects.requireNonNull(chunkId, "chunkId");
    Objects.requireNonNull(text, "text");
    metadata = Map.copyOf(metadata);
  }

  /** The same hit with another score (fusion re-scores hits). */
  public Hit withScore(float newScore) {
    return new Hit(docId, chunkId, newScore, text, metadata);
  }
}
