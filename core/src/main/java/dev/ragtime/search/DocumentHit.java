package dev.ragtime.search;

import java.util.Objects;

/**
 * One document found by {@link Searcher#searchDocuments}. Scores are comparable only within one
 * result list.
 *
 * @param docId the document
 * @param score its best chunk's score (one ranked list), or its fused score (hybrid)
 */
public record DocumentHit(String docId, float score) {
  public DocumentHit {
    Objects.requireNonNull(docId, "docId");
  }
}
