package dev.ragtime.index;

import java.util.Objects;

/**
 * A search result whose text and metadata are not loaded yet: enough to fuse ranked lists and to
 * group chunks by document cheaply. {@link IndexSnapshot#load} turns candidates into {@link Hit}s.
 *
 * @param docId the document the chunk belongs to
 * @param chunkId the chunk
 * @param score the score the hit reports (on the scale of the list that produced it)
 * @param ref the producing snapshot's handle for the chunk: meaningful only to that snapshot (for
 *     Lucene, the document number in its reader)
 */
public record Candidate(String docId, String chunkId, float score, long ref) {
  public Candidate {
    Objects.requireNonNull(docId, "docId");
    Objects.requireNonNull(chunkId, "chunkId");
  }

  /** The same candidate with another score (fusion re-scores candidates). */
  public Candidate withScore(float newScore) {
    return new Candidate(docId, chunkId, newScore, ref);
  }
}
