package dev.ragtime.chunk;

import java.util.Objects;

/**
 * A piece of a document sized to fit the embedding model.
 *
 * @param position 0-based index of the chunk within its document
 * @param text the chunk's text as shown to users and indexed for BM25
 * @param heading the heading path in force where the chunk starts ("Intro › Setup"), empty if none
 * @param tokens token count of {@code text} by the chunker's {@link TokenCounter}
 */
public record Chunk(int position, String text, String heading, int tokens) {
  public Chunk {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(heading, "heading");
    if (position < 0) {
      throw new IllegalArgumentException("position must be >= 0, was " + position);
    }
    if (text.isBlank()) {
      throw new IllegalArgumentException("chunk text must not be blank");
    }
  }
}
