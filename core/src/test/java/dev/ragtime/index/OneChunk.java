package dev.ragtime.index;

import dev.ragtime.testing.FakeEmbeddingModel;
import java.util.List;
import java.util.Map;

/** Documents of one chunk for index tests: chunk id {@code id#0}, content hash {@code h-id}. */
final class OneChunk {
  private OneChunk() {}

  static DocumentWrite doc(FakeEmbeddingModel embedder, String id, String text) {
    return new DocumentWrite(
        id,
        "h-" + id,
        List.of(new IndexedChunk(id + "#0", 0, text, embedder.vectorOf(text), Map.of())));
  }
}
