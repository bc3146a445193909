package dev.ragtime.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ragtime.testing.FakeEmbeddingModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.FilterDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A write whose commit fails must leave no trace, not even in the next successful commit. */
class LuceneWriteFailureTest {
  @TempDir Path dir;

  private final FakeEmbeddingModel embedder = new FakeEmbeddingModel();

  /** Fails every fsync while {@link #failSync} is set, as a full or broken disk would. */
  private static final class FailingDirectory extends FilterDirectory {
    volatile boolean failSync;

    FailingDirectory(Path path) throws IOException {
      super(FSDirectory.open(path));
    }

    @Override
    public void sync(Collection<String> names) throws IOException {
      if (failSync) {
        throw new IOException("injected fsync failure");
      }
      super.sync(names);
    }
  }

  private DocumentWrite doc(String id, String text) {
    return new DocumentWrite(
        id,
        "h-" + id,
        List.of(new IndexedChunk(id + "#0", 0, text, embedder.vectorOf(text), Map.of())));
  }

  @Test
  void aBatchWhoseCommitFailedIsNeverCommittedLater() throws IOException {
    FailingDirectory directory = new FailingDirectory(dir);
    try (LuceneIndex index =
        LuceneIndex.open("failing", directory, embedder.info(), IndexConfig.DEFAULT)) {
      index.write(List.of(doc("before", "alpha")));

      directory.failSync = true;
      assertThatThrownBy(() -> index.write(List.of(doc("lost", "alpha"), doc("before", "beta"))))
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining("nothing was written");
      assertThatThrownBy(() -> index.delete(Set.of("before")))
          .isInstanceOf(UncheckedIOException.class);
      directory.failSync = false;

      assertThat(index.documentIds()).containsExactly("before");
      index.write(List.of(doc("after", "alpha")));

      assertThat(index.documentIds()).containsExactlyInAnyOrder("before", "after");
      try (IndexSnapshot s = index.snapshot()) {
        assertThat(s.lexical("alpha", Map.of(), 10))
            .extracting(Hit::chunkId)
            .containsExactlyInAnyOrder("before#0", "after#0");
      }
    }
    try (Index reopened = LuceneIndex.open("failing", dir, embedder.info(), IndexConfig.DEFAULT)) {
      assertThat(reopened.documentIds()).containsExactlyInAnyOrder("before", "after");
      assertThat(reopened.contentHash("before")).contains("h-before");
    }
  }
}
