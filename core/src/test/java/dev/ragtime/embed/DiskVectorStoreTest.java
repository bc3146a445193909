package dev.ragtime.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.apache.lucene.store.LockObtainFailedException;
import org.apache.lucene.util.BytesRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskVectorStoreTest {
  @TempDir Path dir;

  @Test
  void committedVectorsSurviveReopening() throws Exception {
    try (var store = DiskVectorStore.open(dir, "ns")) {
      store.put("k1", new float[] {1, 2, 3});
      store.put("k2", new float[] {4, 5, 6});
      assertThat(store.getAll(List.of("k1"))).containsKey("k1"); // visible before commit
    }
    try (var store = DiskVectorStore.open(dir, "ns")) {
      var found = store.getAll(List.of("k1", "k2", "k3"));
      assertThat(found).containsOnlyKeys("k1", "k2");
      assertThat(found.get("k2")).containsExactly(4, 5, 6);
      assertThat(store.committedEntries()).isEqualTo(2);
    }
  }

  @Test
  void rewritingAKeyKeepsOneEntry() throws Exception {
    try (var store = DiskVectorStore.open(dir, "ns")) {
      store.put("k", new float[] {1});
      store.commit();
      store.put("k", new float[] {1});
      store.commit();
      assertThat(store.committedEntries()).isEqualTo(1);
    }
  }

  @Test
  void aStoredValueThatDoesNotMatchItsKeyIsAMissNeverAWrongVector() {
    byte[] bytes = DiskVectorStore.encode("k1", new float[] {1, 2});
    assertThat(DiskVectorStore.decode("k1", new BytesRef(bytes))).isPresent();
    assertThat(DiskVectorStore.decode("k2", new BytesRef(bytes))).isEmpty();
    bytes[6] ^= 1; // a flipped bit
    assertThat(DiskVectorStore.decode("k1", new BytesRef(bytes))).isEmpty();
    assertThat(DiskVectorStore.decode("k1", new BytesRef(new byte[3]))).isEmpty();
  }

  @Test
  void aDirectoryOfAnotherModelIsRefused() throws Exception {
    try (var store = DiskVectorStore.open(dir, "model-a")) {
      store.put("k", new float[] {1});
    }
    assertThatThrownBy(() -> DiskVectorStore.open(dir, "model-b"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("model-a");
  }

  @Test
  void entriesAreUncommittedUntilACommitAndTheStoreCommitsByItselfEveryCommitEvery()
      throws Exception {
    try (var store = DiskVectorStore.open(dir, "ns")) {
      store.put("a", new float[] {1});
      store.put("b", new float[] {2});
      assertThat(store.uncommittedEntries()).isEqualTo(2);
      assertThat(store.committedEntries()).isZero();
      store.commit();
      assertThat(store.uncommittedEntries()).isZero();
      assertThat(store.committedEntries()).isEqualTo(2);

      for (int i = 0; i < DiskVectorStore.COMMIT_EVERY - 1; i++) {
        store.put("k" + i, new float[] {i});
      }
      assertThat(store.uncommittedEntries()).isEqualTo(DiskVectorStore.COMMIT_EVERY - 1);
      store.put("last", new float[] {-1}); // the COMMIT_EVERY-th new entry commits
      assertThat(store.uncommittedEntries()).isZero();
      assertThat(store.committedEntries()).isEqualTo(DiskVectorStore.COMMIT_EVERY + 2);
    }
  }

  @Test
  void aRewrittenKeyReadsBackItsNewestVectorFromDisk() throws Exception {
    try (var store = DiskVectorStore.open(dir, "ns")) {
      store.put("k", new float[] {1, 1});
      store.put("other", new float[] {3, 3});
      store.commit(); // first segment: the old vector, deleted by the rewrite below
      store.put("k", new float[] {2, 2});
      store.commit();
    }
    try (var store = DiskVectorStore.open(dir, "ns")) {
      var found = store.getAll(List.of("k", "other"));
      assertThat(found.get("k")).containsExactly(2, 2);
      assertThat(found.get("other")).containsExactly(3, 3);
    }
  }

  @Test
  void lookupsMixUncommittedAndCommittedEntries() throws Exception {
    try (var store = DiskVectorStore.open(dir, "ns")) {
      store.put("old", new float[] {1});
      store.commit();
      store.put("new", new float[] {2});
      var found = store.getAll(List.of("old", "new", "absent"));
      assertThat(found).containsOnlyKeys("old", "new");
      assertThat(found.get("old")).containsExactly(1);
      assertThat(found.get("new")).containsExactly(2);
      assertThat(store.getAll(List.of("new"))).containsOnlyKeys("new"); // no disk read needed
    }
  }

  @Test
  void decodeReadsASliceOfALargerBufferAndRejectsMalformedLengths() {
    byte[] bytes = DiskVectorStore.encode("k", new float[] {1.5f, -2});
    byte[] padded = new byte[bytes.length + 7];
    System.arraycopy(bytes, 0, padded, 5, bytes.length);
    assertThat(DiskVectorStore.decode("k", new BytesRef(padded, 5, bytes.length)))
        .hasValueSatisfying(v -> assertThat(v).containsExactly(1.5f, -2));

    // An empty vector encodes to exactly 8 bytes; a dimension below 1 is never a hit.
    byte[] empty = DiskVectorStore.encode("k", new float[0]);
    assertThat(empty).hasSize(8);
    assertThat(DiskVectorStore.decode("k", new BytesRef(empty))).isEmpty();
    // A length that does not match the recorded dimension (one trailing byte too many).
    byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + 1);
    assertThat(DiskVectorStore.decode("k", new BytesRef(longer))).isEmpty();
    assertThat(DiskVectorStore.decode("k", null)).isEmpty();
  }

  @Test
  void aFailedOpenReleasesTheDirectorySoTheRightNamespaceOpensAfterIt() throws Exception {
    try (var store = DiskVectorStore.open(dir, "model-a")) {
      store.put("k", new float[] {1});
      assertThatThrownBy(() -> DiskVectorStore.open(dir, "model-a"))
          .isInstanceOf(LockObtainFailedException.class);
    }
    assertThatThrownBy(() -> DiskVectorStore.open(dir, "model-b"))
        .isInstanceOf(IllegalStateException.class);
    // The refused open rolled its writer back: the lock is free and the entry intact.
    try (var store = DiskVectorStore.open(dir, "model-a")) {
      assertThat(store.getAll(List.of("k")).get("k")).containsExactly(1);
    }
  }
}
