package dev.ragtime.index;

import java.util.List;
import java.util.Objects;

/**
 * Replace every chunk of one document with {@code chunks}, atomically.
 *
 * @param docId the document id
 * @param contentHash hash of the content version the chunks were made from; used to skip unchanged
 *     documents on re-ingest
 * @param chunks the new chunks, at least one
 */
public record DocumentWrite(String docId, String contentHash, List<IndexedChunk> chunks) {
  public DocumentWrite {
    Objects.requireNonNull(docId, "docId");
    Objects.requireNonNull(contentHash, "contentHash");
    chunks = List.copyOf(chunks);
    if (docId.isEmpty()) {
      throw new IllegalArgumentException("docId must not be empty");
    }
    if (chunks.isEmpty()) {
      throw new IllegalArgumentException("document " + docId + " has no chunks");
    }
  }
}
