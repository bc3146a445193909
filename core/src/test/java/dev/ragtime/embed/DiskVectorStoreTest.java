package dev.ragtime.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
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
}
