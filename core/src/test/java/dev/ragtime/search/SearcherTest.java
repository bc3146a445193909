package dev.ragtime.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ragtime.embed.EmbeddingModel;
import dev.ragtime.index.DocumentWrite;
import dev.ragtime.index.Hit;
import dev.ragtime.index.Index;
import dev.ragtime.index.IndexSnapshot;
import dev.ragtime.index.IndexedChunk;
import dev.ragtime.index.LuceneCollections;
import dev.ragtime.index.ModelMismatchException;
import dev.ragtime.index.SearchableIndex;
import dev.ragtime.testing.FakeEmbeddingModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SearcherTest {
  @TempDir Path dataDir;

  private final FakeEmbeddingModel model = new FakeEmbeddingModel();
  private Index index;

  @BeforeEach
  void openIndexWithDocuments() {
    index = LuceneCollections.at(dataDir).open("docs", model.info());
    index.write(
        List.of(
            doc("guide", Map.of("lang", "en"), "install the server with maven", "configure ports"),
            doc("faq", Map.of("lang", "en"), "why is the server slow", "maven offline builds"),
            doc("handbuch", Map.of("lang", "de"), "installation des servers mit maven"),
            doc("notes", Map.of("lang", "en"), "lunch menu for friday")));
  }

  @AfterEach
  void closeIndex() {
    index.close();
  }

  private DocumentWrite doc(String id, Map<String, String> metadata, String... texts) {
    List<IndexedChunk> chunks = new ArrayList<>();
    for (int i = 0; i < texts.length; i++) {
      chunks.add(new IndexedChunk(id + "#" + i, i, texts[i], model.vectorOf(texts[i]), metadata));
    }
    return new DocumentWrite(id, "h-" + id, chunks);
  }

  private static SearchRequest request(String query, int k, SearchMode mode) {
    return new SearchRequest(query, k, mode, Map.of());
  }

  private static List<String> ids(SearchResult result) {
    return result.hits().stream().map(Hit::chunkId).toList();
  }

  /** A supplier that counts how often it is asked. */
  private static final class CountingSupplier implements Supplier<EmbeddingModel> {
    final AtomicInteger calls = new AtomicInteger();
    final EmbeddingModel model;

    CountingSupplier(EmbeddingModel model) {
      this.model = model;
    }

    @Override
    public EmbeddingModel get() {
      calls.incrementAndGet();
      return model;
    }
  }

  @Test
  void bm25ModeRanksByBm25AndNeverObtainsTheEmbeddingModel() {
    CountingSupplier supplier = new CountingSupplier(model);
    Searcher searcher = Searcher.create(index, supplier, SearchConfig.DEFAULT);

    SearchResult result = searcher.search(request("maven server", 10, SearchMode.BM25));

    assertThat(result.mode()).isEqualTo(SearchMode.BM25);
    assertThat(ids(result)).contains("guide#0", "faq#0", "faq#1", "handbuch#0");
    assertThat(ids(result)).doesNotContain("notes#0");
    try (IndexSnapshot s = index.snapshot()) {
      assertThat(result.hits()).isEqualTo(s.lexical("maven server", Map.of(), 10));
    }
    assertThat(supplier.calls).hasValue(0);
    assertThat(model.calls()).isZero();
  }

  @Test
  void vectorModeRanksByCosineAndObtainsTheModelOnce() {
    CountingSupplier supplier = new CountingSupplier(model);
    Searcher searcher = Searcher.create(index, supplier, SearchConfig.DEFAULT);

    SearchResult first = searcher.search(request("lunch menu for friday", 2, SearchMode.VECTOR));
    searcher.search(request("configure ports", 2, SearchMode.VECTOR));

    assertThat(ids(first)).hasSize(2).startsWith("notes#0");
    assertThat(first.hits().get(0).score()).isGreaterThan(0.99f);
    assertThat(supplier.calls).hasValue(1);
    assertThat(model.calls()).isEqualTo(2);
  }

  @Test
  void hybridModeFusesBothListsFromOneSnapshotWithReciprocalRankFusion() {
    SearchConfig config = new SearchConfig(60, 5, 1.0, 1.0);
    Searcher searcher = Searcher.create(index, model, config);

    SearchResult result = searcher.search(request("maven server install", 3, SearchMode.HYBRID));

    List<Hit> expected;
    try (IndexSnapshot s = index.snapshot()) {
      expected =
          ReciprocalRankFusion.fuse(
              List.of(
                  s.lexical("maven server install", Map.of(), 5),
                  s.vector(model.vectorOf("maven server install"), Map.of(), 5)),
              List.of(1.0, 1.0),
              60,
              3);
    }
    assertThat(result.hits()).isEqualTo(expected);
    assertThat(result.hits()).hasSize(3);
    assertThat(result.mode()).isEqualTo(SearchMode.HYBRID);
  }

  @Test
  void hybridWithAZeroWeightRunsOnlyTheOtherList() {
    Searcher vectorOnly = Searcher.create(index, model, new SearchConfig(60, 10, 0.0, 1.0));
    Searcher lexicalOnly =
        Searcher.create(
            index,
            () -> {
              throw new AssertionError("lexical-only fusion must not need the model");
            },
            new SearchConfig(60, 10, 1.0, 0.0));

    SearchResult v = vectorOnly.search(request("lunch menu", 10, SearchMode.HYBRID));
    SearchResult l = lexicalOnly.search(request("lunch menu", 10, SearchMode.HYBRID));

    // "lunch menu" matches one chunk lexically, but every chunk has some vector.
    assertThat(ids(l)).containsExactly("notes#0");
    assertThat(ids(v)).hasSize(6).startsWith("notes#0");
  }

  @Test
  void hybridStillAnswersWhenTheQueryHasOnlyStopWords() {
    Searcher searcher = Searcher.create(index, model, SearchConfig.DEFAULT);

    SearchResult result = searcher.search(request("the of and", 4, SearchMode.HYBRID));

    assertThat(result.hits()).hasSize(4);
    assertThat(
            Searcher.create(index, model, SearchConfig.DEFAULT)
                .search(request("the of and", 4, SearchMode.BM25))
                .hits())
        .isEmpty();
  }

  @Test
  void filtersApplyInEveryMode() {
    Searcher searcher = Searcher.create(index, model, SearchConfig.DEFAULT);

    for (SearchMode mode : SearchMode.values()) {
      SearchResult result =
          searcher.search(new SearchRequest("maven server", 10, mode, Map.of("lang", "de")));

      assertThat(ids(result)).as(mode.label()).containsExactly("handbuch#0");
    }
  }

  @Test
  void kBoundsTheHitsInEveryMode() {
    Searcher searcher = Searcher.create(index, model, new SearchConfig(60, 2, 1.0, 1.0));

    for (SearchMode mode : SearchMode.values()) {
      assertThat(searcher.search(request("maven server", 1, mode)).hits())
          .as(mode.label())
          .hasSize(1);
      // k above the configured candidate depth is honoured: depth is max(k, candidates).
      assertThat(searcher.search(request("maven server", 4, mode)).hits())
          .as(mode.label())
          .hasSize(4);
    }
  }

  @Test
  void anIncompatibleModelIsRefusedForVectorSearchButBm25StillWorks() {
    FakeEmbeddingModel other = FakeEmbeddingModel.create("other/model", 64);
    Searcher searcher = Searcher.create(index, other, SearchConfig.DEFAULT);

    assertThatThrownBy(() -> searcher.search(request("maven", 3, SearchMode.VECTOR)))
        .isInstanceOfSatisfying(
            ModelMismatchException.class,
            e -> {
              assertThat(e).hasMessageContaining("'docs'").hasMessageContaining("other/model");
              assertThat(e).hasMessageEndingWith(index.reindexAdvice());
              assertThat(e.indexed()).isEqualTo(model.info());
              assertThat(e.requested()).isEqualTo(other.info());
            });
    assertThatThrownBy(() -> searcher.search(request("maven", 3, SearchMode.HYBRID)))
        .isInstanceOf(ModelMismatchException.class);
    assertThatThrownBy(() -> searcher.searchDocuments(request("maven", 3, SearchMode.VECTOR), 10))
        .isInstanceOf(ModelMismatchException.class);
    assertThat(searcher.search(request("maven", 3, SearchMode.BM25)).hits()).isNotEmpty();
    assertThat(other.calls()).isZero();
  }

  @Test
  void tookMicrosIsMeasuredWithTheInjectedClock() {
    AtomicLong nanos = new AtomicLong(1_000_000);
    Searcher searcher =
        Searcher.create(index, () -> model, SearchConfig.DEFAULT, () -> nanos.getAndAdd(2_500_000));

    SearchResult result = searcher.search(request("maven", 3, SearchMode.BM25));

    assertThat(result.tookMicros()).isEqualTo(2_500);
  }

  @Test
  void aSearcherOverAReadOnlyIndexAnswersLikeOneOverTheWritingIndex() {
    Searcher writing = Searcher.create(index, model, new SearchConfig(60, 5, 1.0, 1.0));
    try (SearchableIndex readOnly =
        LuceneCollections.at(dataDir).openReadOnly("docs", model.info())) {
      Searcher reading = Searcher.create(readOnly, model, new SearchConfig(60, 5, 1.0, 1.0));

      for (SearchMode mode : SearchMode.values()) {
        SearchRequest r = request("install maven server", 4, mode);
        assertThat(reading.search(r).hits()).as(mode.label()).isEqualTo(writing.search(r).hits());
        assertThat(reading.searchDocuments(r, 10))
            .as(mode.label())
            .isEqualTo(writing.searchDocuments(r, 10));
      }
    }
  }

  @Test
  void documentSearchOnLuceneRanksDocumentsByTheirBestChunk() {
    Searcher searcher = Searcher.create(index, model, SearchConfig.DEFAULT);
    List<Hit> chunks = searcher.search(request("maven server", 10, SearchMode.BM25)).hits();

    List<DocumentHit> docs =
        searcher.searchDocuments(request("maven server", 10, SearchMode.BM25), 10);

    // Every matching document once, scored by its best chunk, in the order of its best chunk.
    List<String> firstSeen = chunks.stream().map(Hit::docId).distinct().toList();
    assertThat(docs).extracting(DocumentHit::docId).isEqualTo(firstSeen);
    assertThat(docs).extracting(DocumentHit::docId).contains("guide", "faq", "handbuch");
    for (DocumentHit d : docs) {
      float best =
          chunks.stream()
              .filter(h -> h.docId().equals(d.docId()))
              .map(Hit::score)
              .max(Float::compare)
              .orElseThrow();
      assertThat(d.score()).as(d.docId()).isEqualTo(best);
    }
    assertThat(
            searcher.searchDocuments(
                new SearchRequest("maven server", 10, SearchMode.HYBRID, Map.of("lang", "de")), 10))
        .extracting(DocumentHit::docId)
        .containsExactly("handbuch");
  }
}
