package dev.ragtime.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ragtime.embed.ModelInfo;
import dev.ragtime.testing.FakeEmbeddingModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LuceneCollectionsTest {
  private static final ModelInfo MODEL = FakeEmbeddingModel.DEFAULT_INFO;
  private final FakeEmbeddingModel embedder = new FakeEmbeddingModel();

  @TempDir Path dataDir;

  private DocumentWrite doc(String id, String text) {
    return OneChunk.doc(embedder, id, text);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", ".", "..", "../escape", "a/b", "a b", "ümlaut", "x:y"})
  void invalidCollectionNamesAreRejectedNamingTheValue(String name) {
    LuceneCollections collections = LuceneCollections.at(dataDir);

    assertThatThrownBy(() -> collections.open(name, MODEL))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + name + "'");
    assertThat(dataDir.resolve("collections")).doesNotExist();
  }

  @Test
  void namesOfUpToSixtyFourAllowedCharactersAreAccepted() {
    String longest = "a".repeat(64);

    assertThat(IndexStore.validateName(longest)).isEqualTo(longest);
    assertThat(IndexStore.validateName("Docs_v2.1-final")).isEqualTo("Docs_v2.1-final");
    assertThatThrownBy(() -> IndexStore.validateName(longest + "a"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void collectionsLiveInTheirOwnFolderUnderTheDataDirectory() {
    LuceneCollections collections = LuceneCollections.at(dataDir);
    collections.open("notes", MODEL).close();

    assertThat(collections.collectionDir("notes")).isEqualTo(dataDir.resolve("collections/notes"));
    assertThat(dataDir.resolve("collections/notes/lucene")).isDirectory();
  }

  @Test
  void namesListsExistingCollectionsSortedAndIgnoresOtherFolders() throws Exception {
    LuceneCollections collections = LuceneCollections.at(dataDir);
    assertThat(collections.names()).isEmpty();

    collections.open("zeta", MODEL).close();
    collections.open("alpha", MODEL).close();
    Files.createDirectories(dataDir.resolve("collections/empty-folder"));
    Files.createDirectories(dataDir.resolve("collections/not a name"));

    assertThat(collections.names()).containsExactly("alpha", "zeta");
    assertThat(collections.exists("alpha")).isTrue();
    assertThat(collections.exists("empty-folder")).isFalse();
    assertThat(collections.exists("never")).isFalse();
  }

  @Test
  void theRecordedModelIsReadableWithoutOpeningTheCollection() {
    LuceneCollections collections = LuceneCollections.at(dataDir);
    assertThat(collections.recordedModel("docs")).isEmpty();

    collections.open("docs", MODEL).close();

    assertThat(collections.recordedModel("docs")).contains(MODEL);
  }

  @Test
  void openExistingAdoptsTheRecordedModel() {
    LuceneCollections collections = LuceneCollections.at(dataDir);
    ModelInfo other = FakeEmbeddingModel.create("other/model", 32).info();
    try (Index index = collections.open("docs", other)) {
      assertThat(index.model()).isEqualTo(other);
    }

    try (Index index = collections.openExisting("docs")) {
      assertThat(index.model()).isEqualTo(other);
    }
  }

  @Test
  void openExistingAndStatsOfAMissingCollectionFailWithCollectionNotFound() {
    LuceneCollections collections = LuceneCollections.at(dataDir);

    assertThatThrownBy(() -> collections.openExisting("missing"))
        .isInstanceOfSatisfying(
            CollectionNotFoundException.class,
            e -> assertThat(e.collection()).isEqualTo("missing"));
    assertThatThrownBy(() -> collections.stats("missing"))
        .isInstanceOf(CollectionNotFoundException.class);
    assertThat(dataDir.resolve("collections/missing")).doesNotExist();
  }

  @Test
  void statsAreReadableWhileTheCollectionIsOpenForWriting() {
    LuceneCollections collections = LuceneCollections.at(dataDir);
    try (Index index = collections.open("docs", MODEL)) {
      index.write(List.of(doc("a", "alpha"), doc("b", "beta")));

      assertThat(collections.stats("docs")).isEqualTo(new IndexStats(2, 2));
      assertThat(collections.recordedModel("docs")).contains(MODEL);
      assertThat(collections.names()).containsExactly("docs");
    }
  }

  @Test
  void aCollectionCanBeOpenOnlyOnceAtATime() {
    LuceneCollections collections = LuceneCollections.at(dataDir);
    try (Index first = collections.open("docs", MODEL)) {
      assertThatThrownBy(() -> collections.open("docs", MODEL))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already open");
      first.write(List.of(doc("a", "alpha")));
    }

    try (Index again = collections.open("docs", MODEL)) {
      assertThat(again.documentIds()).containsExactly("a");
    }
  }

  @Test
  void aModelMismatchIsReportedEvenWhileTheCollectionIsOpenElsewhere() {
    LuceneCollections collections = LuceneCollections.at(dataDir);
    try (Index open = collections.open("docs", MODEL)) {
      assertThatThrownBy(
              () -> collections.open("docs", FakeEmbeddingModel.create("other/model", 64).info()))
          .isInstanceOf(ModelMismatchException.class)
          .hasMessageContaining("'docs'");
      assertThat(open.documentIds()).isEmpty();
    }
  }

  @Test
  void anotherVariantOfTheSameModelIsRefusedAndTheVariantSurvivesReopening() {
    LuceneCollections collections = LuceneCollections.at(dataDir);
    ModelInfo quantized = new ModelInfo(MODEL.id(), MODEL.dimension(), MODEL.maxTokens(), "int8");
    collections.open("q", quantized).close();

    assertThatThrownBy(() -> collections.open("q", MODEL))
        .isInstanceOf(ModelMismatchException.class)
        .hasMessageContaining("[int8]")
        .hasMessageContaining("local.model")
        .hasMessageContaining("re-index")
        .hasMessageEndingWith(
            "remove the collection's folder (<data>/collections/q) and ingest again");
    try (Index reopened = collections.open("q", quantized)) {
      assertThat(reopened.model()).isEqualTo(quantized);
    }
  }

  @Test
  void dropDeletesAClosedCollectionAndRefusesAnOpenOne() {
    LuceneCollections collections = LuceneCollections.at(dataDir);
    try (Index index = collections.open("docs", MODEL)) {
      index.write(List.of(doc("a", "alpha")));

      assertThatThrownBy(() -> collections.drop("docs")).isInstanceOf(IllegalStateException.class);
      assertThat(index.documentIds()).containsExactly("a");
    }

    assertThat(collections.drop("docs")).isTrue();
    assertThat(collections.exists("docs")).isFalse();
    assertThat(collections.collectionDir("docs")).doesNotExist();
    assertThat(collections.drop("docs")).isFalse();
    try (Index fresh = collections.open("docs", FakeEmbeddingModel.create("new/model", 8).info())) {
      assertThat(fresh.documentIds()).isEmpty();
    }
  }

  @Test
  void aLuceneIndexNotWrittenByRagtimeIsRefused() throws Exception {
    Path foreign = dataDir.resolve("collections/foreign/lucene");
    try (FSDirectory dir = FSDirectory.open(foreign);
        IndexWriter w = new IndexWriter(dir, new IndexWriterConfig(new StandardAnalyzer()))) {
      Document d = new Document();
      d.add(new StringField("x", "y", Field.Store.YES));
      w.addDocument(d);
    }
    LuceneCollections collections = LuceneCollections.at(dataDir);

    assertThatThrownBy(() -> collections.open("foreign", MODEL))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("did not create");
  }

  @Test
  void hnswSettingsAreValidatedAndUsableForWriting() {
    assertThatThrownBy(() -> IndexConfig.DEFAULT.withHnswM(1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was 1");
    assertThatThrownBy(() -> IndexConfig.DEFAULT.withHnswBeamWidth(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was 0");
    assertThatThrownBy(() -> IndexConfig.DEFAULT.withRamBufferMb(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);

    IndexConfig small = IndexConfig.DEFAULT.withHnswM(4).withHnswBeamWidth(8);
    LuceneCollections collections = LuceneCollections.at(dataDir, small);
    try (Index index = collections.open("docs", MODEL)) {
      index.write(List.of(doc("a", "alpha beta"), doc("b", "gamma delta")));
      try (IndexSnapshot s = index.snapshot()) {
        assertThat(s.vector(embedder.vectorOf("gamma delta"), Map.of(), 1))
            .extracting(Hit::chunkId)
            .containsExactly("b#0");
      }
    }
    assertThat(collections.config()).isEqualTo(small);
  }
}
