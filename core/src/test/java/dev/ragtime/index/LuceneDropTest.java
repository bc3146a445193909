package dev.ragtime.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ragtime.embed.ModelInfo;
import dev.ragtime.testing.FakeEmbeddingModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FilterDirectory;
import org.apache.lucene.store.Lock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dropping a collection deletes its commit points first and everything under the write lock, so a
 * crash (here: an I/O error) part-way never leaves a half index that still looks valid.
 */
class LuceneDropTest {
  private static final ModelInfo MODEL = FakeEmbeddingModel.DEFAULT_INFO;
  private final FakeEmbeddingModel embedder = new FakeEmbeddingModel();

  @TempDir Path dataDir;

  /** A collection with two commits, and a file of other per-collection state beside the index. */
  private LuceneCollections collectionWithTwoCommits() throws IOException {
    LuceneCollections collections = LuceneCollections.at(dataDir);
    try (Index index = collections.open("docs", MODEL)) {
      index.write(List.of(doc("a", "alpha beta")));
      index.write(List.of(doc("b", "gamma delta")));
    }
    Files.writeString(collections.collectionDir("docs").resolve("state.bin"), "other state");
    return collections;
  }

  private DocumentWrite doc(String id, String text) {
    return new DocumentWrite(
        id,
        "h-" + id,
        List.of(new IndexedChunk(id + "#0", 0, text, embedder.vectorOf(text), Map.of())));
  }

  @Test
  void commitPointsGoFirstAndEveryDeletionHappensUnderTheLock() throws IOException {
    LuceneCollections collections = collectionWithTwoCommits();
    Path stateFile = collections.collectionDir("docs").resolve("state.bin");
    var watcher = new Watcher(-1, stateFile);

    assertThat(collections.drop("docs", directory -> watcher.wrap(directory))).isTrue();

    assertThat(watcher.deleted).isNotEmpty();
    assertThat(watcher.deleted.get(0)).startsWith("segments_");
    int lastCommit = 0;
    int firstOther = Integer.MAX_VALUE;
    for (int i = 0; i < watcher.deleted.size(); i++) {
      if (watcher.deleted.get(i).startsWith("segments")) {
        lastCommit = i;
      } else {
        firstOther = Math.min(firstOther, i);
      }
    }
    assertThat(lastCommit).as("every commit point before any other file").isLessThan(firstOther);
    assertThat(watcher.deletedWithoutLock).as("index files deleted without the lock").isEmpty();
    assertThat(watcher.stateGoneUnderLock.get()).as("other state deleted under the lock").isTrue();
    assertThat(collections.collectionDir("docs")).doesNotExist();
  }

  @Test
  void aDropThatFailsPartWayLeavesNoIndexThatLooksValid() throws IOException {
    LuceneCollections collections = collectionWithTwoCommits();
    // The second deletion fails, as a crash right after the first one would stop the drop.
    var watcher = new Watcher(1, null);

    assertThatThrownBy(() -> collections.drop("docs", directory -> watcher.wrap(directory)))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("'docs'");

    assertThat(watcher.deleted).hasSize(1);
    assertThat(collections.exists("docs")).isFalse();
    assertThat(collections.names()).doesNotContain("docs");
    assertThat(collections.recordedModel("docs")).isEmpty();
    // The half-deleted folder is no collection: opening it starts a new, empty one, and a second
    // drop removes the rest.
    try (Index fresh = collections.open("docs", MODEL)) {
      assertThat(fresh.documentIds()).isEmpty();
    }
    assertThat(collections.drop("docs")).isTrue();
    assertThat(collections.collectionDir("docs")).doesNotExist();
  }

  /**
   * Records the files deleted through the directory and whether the write lock was held, and fails
   * the deletion number {@code failAt} (0-based; -1 never).
   */
  private static final class Watcher {
    final List<String> deleted = new ArrayList<>();
    final List<String> deletedWithoutLock = new ArrayList<>();
    final AtomicBoolean stateGoneUnderLock = new AtomicBoolean();
    private final int failAt;
    private final Path stateFile;
    private boolean locked;

    Watcher(int failAt, Path stateFile) {
      this.failAt = failAt;
      this.stateFile = stateFile;
    }

    Directory wrap(Directory directory) {
      return new FilterDirectory(directory) {
        @Override
        public void deleteFile(String name) throws IOException {
          if (deleted.size() == failAt) {
            throw new IOException("simulated crash while deleting " + name);
          }
          if (!locked) {
            deletedWithoutLock.add(name);
          }
          deleted.add(name);
          super.deleteFile(name);
        }

        @Override
        public Lock obtainLock(String name) throws IOException {
          Lock lock = super.obtainLock(name);
          assertThat(name).isEqualTo(IndexWriter.WRITE_LOCK_NAME);
          locked = true;
          return new Lock() {
            @Override
            public void close() throws IOException {
              if (stateFile != null) {
                stateGoneUnderLock.set(Files.notExists(stateFile));
              }
              locked = false;
              lock.close();
            }

            @Override
            public void ensureValid() throws IOException {
              lock.ensureValid();
            }
          };
        }
      };
    }
  }
}
