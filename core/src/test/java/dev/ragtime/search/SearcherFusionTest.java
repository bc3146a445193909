package dev.ragtime.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ragtime.index.Candidate;
import dev.ragtime.index.Hit;
import dev.ragtime.testing.FakeEmbeddingModel;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Fusion and document ranking in {@link Searcher}, on hand-made candidate lists (see {@link
 * FakeSearchableIndex}), so every rank and score below can be checked by hand.
 */
class SearcherFusionTest {
  private final FakeEmbeddingModel model = new FakeEmbeddingModel();

  /**
   * Document x is first in both lists, but through different chunks; chunk y#0 is second in both.
   */
  private final FakeSearchableIndex xy =
      new FakeSearchableIndex(
          List.of("x#0=9.0", "y#0=8.0", "z#0=7.0"), List.of("x#1=0.9", "y#0=0.8", "w#0=0.7"));

  /** Document "many" has more matching chunks than "a", but a weaker best one. */
  private final FakeSearchableIndex maxNotSum =
      new FakeSearchableIndex(
          List.of(
              "a#0=3.0", "many#0=2.9", "many#1=2.8", "many#2=2.7", "b#0=2.5", "a#1=2.0", "c#0=1.0"),
          List.of("c#3=0.95", "a#1=0.9", "c#0=0.5", "many#0=0.4"));

  private static SearchRequest request(int k, SearchMode mode) {
    return new SearchRequest("any query", k, mode, Map.of());
  }

  private static List<String> chunkIds(List<Hit> hits) {
    return hits.stream().map(Hit::chunkId).toList();
  }

  private static FakeSearchableIndex deep(int n) {
    return new FakeSearchableIndex(
        IntStream.range(0, n).mapToObj(i -> "l" + i + "#0=" + (n - i)).toList(),
        IntStream.range(0, n).mapToObj(i -> "v" + i + "#0=" + (1.0 / (i + 1))).toList());
  }

  // --- chunk search: loading only what is returned --------------------------------------------

  @Test
  void hybridSearchFusesCandidatesAndLoadsTextForTheFinalHitsOnly() {
    FakeSearchableIndex index = deep(40);
    Searcher searcher = Searcher.create(index, model, new SearchConfig(60, 30, 1.0, 1.0));

    SearchResult result = searcher.search(request(3, SearchMode.HYBRID));

    assertThat(index.lexicalDepths).containsExactly(30);
    assertThat(index.vectorDepths).containsExactly(30);
    assertThat(index.loads).hasSize(1);
    assertThat(index.loads.get(0)).hasSize(3);
    // l0/v0 tie at 1/61 (best rank 1), l1/v1 at 1/62: ties go by chunk id.
    assertThat(chunkIds(result.hits())).containsExactly("l0#0", "v0#0", "l1#0");
    assertThat(result.hits()).extracting(Hit::text).startsWith("text of l0#0");
    assertThat(result.hits().get(0).score()).isEqualTo((float) (1.0 / 61));
  }

  @Test
  void vectorSearchLoadsTextForTheTopKOfTheDeeperCandidateListOnly() {
    FakeSearchableIndex index = deep(40);
    Searcher searcher = Searcher.create(index, model, new SearchConfig(60, 30, 1.0, 1.0));

    SearchResult result = searcher.search(request(2, SearchMode.VECTOR));

    assertThat(index.vectorDepths).containsExactly(30);
    assertThat(index.loads).containsExactly(index.vector.subList(0, 2));
    assertThat(chunkIds(result.hits())).containsExactly("v0#0", "v1#0");
    assertThat(result.hits()).extracting(Hit::score).containsExactly(1.0f, 0.5f);
  }

  @Test
  void chunkLevelHybridRanksTheChunkFoundByBothListsFirst() {
    Searcher searcher = Searcher.create(xy, model, SearchConfig.DEFAULT);

    List<Hit> hits = searcher.search(request(10, SearchMode.HYBRID)).hits();

    // y#0 = 1/62 + 1/62; x#0 = x#1 = 1/61 (best rank 1, then by id); w#0 = z#0 = 1/63.
    assertThat(chunkIds(hits)).containsExactly("y#0", "x#0", "x#1", "w#0", "z#0");
    assertThat(hits)
        .extracting(Hit::score)
        .containsExactly(
            (float) (1.0 / 62 + 1.0 / 62),
            (float) (1.0 / 61),
            (float) (1.0 / 61),
            (float) (1.0 / 63),
            (float) (1.0 / 63));
  }

  // --- document search ------------------------------------------------------------------------

  @Test
  void documentSearchAggregatesChunksPerListBeforeFusing() {
    Searcher searcher = Searcher.create(xy, model, SearchConfig.DEFAULT);

    List<DocumentHit> docs = searcher.searchDocuments(request(10, SearchMode.HYBRID), 3);

    // Per list, documents rank by their best chunk: lexical x, y, z; vector x, y, w.
    // Fused: x = 1/61 + 1/61 beats y = 1/62 + 1/62 (unlike chunk y#0 above); w = z = 1/63.
    assertThat(docs)
        .containsExactly(
            new DocumentHit("x", (float) (1.0 / 61 + 1.0 / 61)),
            new DocumentHit("y", (float) (1.0 / 62 + 1.0 / 62)),
            new DocumentHit("w", (float) (1.0 / 63)),
            new DocumentHit("z", (float) (1.0 / 63)));
    assertThat(xy.lexicalDepths).containsExactly(3);
    assertThat(xy.vectorDepths).containsExactly(3);
    assertThat(xy.loads).as("no text is loaded for document search").isEmpty();
  }

  @Test
  void inOneListModesADocumentScoresAsItsBestChunk() {
    Searcher searcher = Searcher.create(maxNotSum, model, SearchConfig.DEFAULT);

    assertThat(searcher.searchDocuments(request(10, SearchMode.BM25), 100))
        .containsExactly(
            new DocumentHit("a", 3.0f),
            new DocumentHit("many", 2.9f),
            new DocumentHit("b", 2.5f),
            new DocumentHit("c", 1.0f));
    assertThat(searcher.searchDocuments(request(10, SearchMode.VECTOR), 100))
        .containsExactly(
            new DocumentHit("c", 0.95f), new DocumentHit("a", 0.9f), new DocumentHit("many", 0.4f));
  }

  @Test
  void eachListIsAskedForDepthChunksAndKLimitsTheDocuments() {
    Searcher searcher = Searcher.create(maxNotSum, model, SearchConfig.DEFAULT);

    // Depth 3 reaches only chunks a#0, many#0, many#1 of the lexical list.
    assertThat(searcher.searchDocuments(request(10, SearchMode.BM25), 3))
        .extracting(DocumentHit::docId)
        .containsExactly("a", "many");
    assertThat(searcher.searchDocuments(request(1, SearchMode.BM25), 100))
        .extracting(DocumentHit::docId)
        .containsExactly("a");
    // Hybrid at depth 2: lexical a, many; vector c, a. a = 1/61 + 1/62, c = 1/61, and
    // many = 1/62 is cut by k = 2.
    assertThat(searcher.searchDocuments(request(2, SearchMode.HYBRID), 2))
        .containsExactly(
            new DocumentHit("a", (float) (1.0 / 61 + 1.0 / 62)),
            new DocumentHit("c", (float) (1.0 / 61)));
    assertThat(maxNotSum.lexicalDepths).containsExactly(3, 100, 2);
    assertThat(maxNotSum.vectorDepths).containsExactly(2);
  }

  @Test
  void aZeroFusionWeightLeavesThatListOutOfDocumentSearch() {
    Searcher vectorOnly =
        Searcher.create(
            maxNotSum, model, new SearchConfig(SearchConfig.DEFAULT_RRF_K, 100, 0.0, 1.0));

    List<DocumentHit> docs = vectorOnly.searchDocuments(request(10, SearchMode.HYBRID), 100);

    assertThat(docs).extracting(DocumentHit::docId).containsExactly("c", "a", "many");
    assertThat(docs.get(0).score()).isEqualTo((float) (1.0 / 61));
    assertThat(maxNotSum.lexicalDepths).isEmpty();
  }

  @Test
  void documentSearchEmbedsTheQueryOnlyWhenAVectorListIsUsed() {
    Searcher searcher = Searcher.create(maxNotSum, model, SearchConfig.DEFAULT);

    searcher.searchDocuments(request(10, SearchMode.BM25), 10);
    assertThat(model.calls()).isZero();

    searcher.searchDocuments(request(10, SearchMode.VECTOR), 10);
    searcher.searchDocuments(request(10, SearchMode.HYBRID), 10);
    assertThat(model.calls()).isEqualTo(2);
  }

  @Test
  void aDepthOutOfRangeIsRejectedNamingTheValue() {
    Searcher searcher = Searcher.create(xy, model, SearchConfig.DEFAULT);

    assertThatThrownBy(() -> searcher.searchDocuments(request(10, SearchMode.BM25), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was 0");
    assertThatThrownBy(
            () -> searcher.searchDocuments(request(10, SearchMode.BM25), Searcher.MAX_DEPTH + 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was " + (Searcher.MAX_DEPTH + 1));
  }

  @Test
  void candidatesKeepTheirIdentityThroughFusion() {
    Searcher searcher = Searcher.create(xy, model, SearchConfig.DEFAULT);

    searcher.search(request(2, SearchMode.HYBRID));

    List<Candidate> loaded = xy.loads.get(0);
    assertThat(loaded).extracting(Candidate::chunkId).containsExactly("y#0", "x#0");
    // y#0 was fetched from the lexical list first (ref 1), x#0 is lexical ref 0.
    assertThat(loaded).extracting(Candidate::ref).containsExactly(1L, 0L);
  }
}
