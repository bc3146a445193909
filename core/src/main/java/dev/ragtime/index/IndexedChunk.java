package dev.ragtime.index;

import java.util.Map;
import java.util.Objects;

/**
 * A chunk as written to an index: its text for BM25, its vector for kNN, and metadata for filters.
 *
 * @param chunkId unique within the collection, conventionally {@code docId + "#" + position}
 * @param position 0-based position in the document
 * @param text the chunk text (indexed for BM25 and returned in hits)
 * @param vector L2-normalised embedding; not copied, callers must not mutate it afterwards
 * @param metadata exact-match filterable string metadata (copied)
 * @param context text that BM25 matches together with {@code text}, as if it were part of it, but
 *     that hits do not return: typically the document title and heading path that the chunk was
 *     embedded with, so that a query naming the title finds every chunk of the document; empty for
 *     none
 */
public record IndexedChunk(
    String chunkId,
    int position,
    String text,
    float[] vector,
    Map<String, String> metadata,
    String context) {
  public IndexedChunk {
    Objects.requireNonNull(chunkId, "chunkId");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(vector, "vector");
    Objects.requireNonNull(context, "context");
    metadata = Map.copyOf(metadata);
  }

  /** A chunk without lexical context. */
  public IndexedChunk(
      String chunkId, int position, String text, float[] vector, Map<String, String> metadata) {
    this(chunkId, position, text, vector, metadata, "");
  }
}
