package dev.ragtime.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ragtime.embed.ModelInfo;
import dev.ragtime.testing.FakeEmbeddingModel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LuceneReadOnlyIndexTest {
  private static final ModelInfo MODEL = FakeEmbeddingModel.DEFAULT_INFO;
  private static final ModelInfo OTHER = FakeEmbeddingModel.create("other/model", 64).info();
  private final FakeEmbeddingModel embedder = new FakeEmbeddingModel();

  @TempDir Path dataDir;

  private DocumentWrite doc(String id, String text) {
    return OneChunk.doc(embedder, id, text);
  }

  private static List<String> docIds(SearchableIndex index, String query) {
    try (IndexSnapshot s = index.snapshot()) {
      return s.lexical(query, Map.of(), 100).stream().map(Hit::docId).sorted().toList();
    }
  }

  @Test
  void aReaderSeesTheWritersCommitsOnceTheRefreshIntervalHasPassed() {
    LuceneCollections collections = LuceneCollections.at(dataDir);
    AtomicLong nanos = new AtomicLong(5_000_000_000L);
    try (Index writer = collections.open("docs", MODEL)) {
      writer.write(List.of(doc("a", "alpha one")));
      try (SearchableIndex reader =
          collections.openReadOnly("docs", MODEL, Duration.ofSeconds(1), nanos::get)) {
        assertThat(docIds(reader, "alpha")).containsExactly("a");

        writer.write(List.of(doc("b", "alpha two")));
        nanos.addAndGet(999_999_999L);
        assertThat(docIds(reader, "alpha")).as("before the interval").containsExactly("a");

        nanos.addAndGet(1);
        try (IndexSnapshot refreshed = reader.snapshot()) {
          writer.delete(Set.of("a"));
          nanos.addAndGet(2_000_000_000L);
          assertThat(docIds(reader, "alpha")).as("after the delete").containsExactly("b");
          assertThat(refreshed.lexical("alpha", Map.of(), 10))
              .as("an open snapshot keeps its commit")
              .extracting(Hit::docId)
              .containsExactlyInAnyOrder("a", "b");
        }
      }
    }
  }

  @Test
  void aReaderWorksWhileAWriterInThisJvmHoldsTheWriteLock() {
    LuceneCollections collections = LuceneCollections.at(dataDir);
    try (Index writer = collections.open("docs", MODEL)) {
      writer.write(List.of(doc("a", "alpha one")));
      assertThatThrownBy(() -> collections.open("docs", MODEL))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already open");

      try (SearchableIndex reader = collections.openReadOnly("docs", MODEL, Duration.ZERO)) {
        writer.write(List.of(doc("b", "alpha two")));

        assertThat(reader.name()).isEqualTo("docs");
        assertThat(reader.model()).isEqualTo(MODEL);
        assertThat(docIds(reader, "alpha")).containsExactly("a", "b");
        try (IndexSnapshot s = reader.snapshot()) {
          assertThat(s.vector(embedder.vectorOf("alpha two"), Map.of(), 1))
              .extracting(Hit::chunkId)
              .containsExactly("b#0");
        }
      }
      // The reader took no lock: the writer goes on writing after it closed.
      writer.write(List.of(doc("c", "alpha three")));
      assertThat(writer.documentIds()).containsExactlyInAnyOrder("a", "b", "c");
    }
  }

  @Test
  void anOpenReaderDoesNotKeepAWriterFromOpeningTheCollection() {
    LuceneCollections collections = LuceneCollections.at(dataDir);
    collections.open("docs", MODEL).close();

    try (SearchableIndex reader = collections.openReadOnly("docs", MODEL, Duration.ZERO);
        Index writer = collections.open("docs", MODEL)) {
      writer.write(List.of(doc("a", "alpha")));

      assertThat(docIds(reader, "alpha")).containsExactly("a");
    }
  }

  @Test
  void aReaderRefusesAnIncompatibleModelNamingTheCollection() {
    LuceneCollections collections = LuceneCollections.at(dataDir);
    try (Index writer = collections.open("docs", MODEL)) {
      writer.write(List.of(doc("a", "alpha")));

      assertThatThrownBy(() -> collections.openReadOnly("docs", OTHER))
          .isInstanceOfSatisfying(
              ModelMismatchException.class,
              e -> {
                assertThat(e.indexed()).isEqualTo(MODEL);
                assertThat(e.requested()).isEqualTo(OTHER);
                assertThat(e).hasMessageContaining("'docs'");
              });
    }
    assertThatThrownBy(() -> collections.openReadOnly("docs", OTHER))
        .isInstanceOf(ModelMismatchException.class);
  }

  @Test
  void openingAMissingCollectionReadOnlyFailsWithCollectionNotFoundAndCreatesNothing() {
    LuceneCollections collections = LuceneCollections.at(dataDir);

    assertThatThrownBy(() -> collections.openReadOnly("missing", MODEL))
        .isInstanceOfSatisfying(
            CollectionNotFoundException.class,
            e -> assertThat(e.collection()).isEqualTo("missing"));
    assertThatThrownBy(() -> collections.openReadOnly("missing"))
        .isInstanceOf(CollectionNotFoundException.class);
    assertThat(dataDir.resolve("collections")).doesNotExist();
  }

  @Test
  void openReadOnlyWithoutAModelAdoptsTheRecordedOne() {
    LuceneCollections collections = LuceneCollections.at(dataDir);
    try (Index writer = collections.open("docs", OTHER)) {
      writer.write(List.of(doc("a", "alpha")));
    }

    try (SearchableIndex reader = collections.openReadOnly("docs")) {
      assertThat(reader.model()).isEqualTo(OTHER);
      assertThat(docIds(reader, "alpha")).containsExactly("a");
    }
  }

  @Test
  void aReaderReportsADroppedCollectionAndRefusesOneRebuiltWithAnotherModel() {
    LuceneCollections collections = LuceneCollections.at(dataDir);
    try (Index writer = collections.open("docs", MODEL)) {
      writer.write(List.of(doc("a", "alpha")));
    }
    try (SearchableIndex reader = collections.openReadOnly("docs", MODEL, Duration.ZERO)) {
      assertThat(docIds(reader, "alpha")).containsExactly("a");

      assertThat(collections.drop("docs")).as("a reader does not block dropping").isTrue();
      assertThatThrownBy(reader::snapshot).isInstanceOf(CollectionNotFoundException.class);

      try (Index rebuilt = collections.open("docs", OTHER)) {
        rebuilt.write(List.of(doc("b", "alpha")));
      }
      assertThatThrownBy(reader::snapshot)
          .isInstanceOfSatisfying(
              ModelMismatchException.class, e -> assertThat(e.indexed()).isEqualTo(OTHER));
    }
  }

  @Test
  void aClosedReaderRefusesSnapshotsAndClosingTwiceIsHarmless() {
    LuceneCollections collections = LuceneCollections.at(dataDir);
    collections.open("docs", MODEL).close();
    SearchableIndex reader = collections.openReadOnly("docs", MODEL);

    reader.close();
    reader.close();

    assertThatThrownBy(reader::snapshot)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void theRefreshIntervalIsValidated() {
    LuceneCollections collections = LuceneCollections.at(dataDir);
    collections.open("docs", MODEL).close();

    assertThatThrownBy(() -> collections.openReadOnly("docs", MODEL, Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PT-0.001S");
    assertThatThrownBy(() -> collections.openReadOnly("docs", MODEL, Duration.ofHours(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PT2H");
  }
}
