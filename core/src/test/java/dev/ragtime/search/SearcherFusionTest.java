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

  /** Reciprocal rank fusion, k 60, equal weights. */
  private static final SearchConfig RRF = new SearchConfig(60, 100, 1.0, 1.0);

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
    Searcher searcher = Searcher.create(xy, model, RRF);

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
    Searcher searcher = Searcher.create(xy, model, RRF);

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
    Searcher searcher = Searcher.create(maxNotSum, model, RRF);

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
    Searcher searcher = Searcher.create(xy, model, RRF);

    searcher.search(request(2, SearchMode.HYBRID));

    List<Candidate> loaded = xy.loads.get(0);
    assertThat(loaded).extracting(Candidate::chunkId).containsExactly("y#0", "x#0");
    // y#0 was fetched from the lexical list first (ref 1), x#0 is lexical ref 0.
    assertThat(loaded).extracting(Candidate::ref).containsExactly(1L, 0L);
  }

  // --- score fusion ---------------------------------------------------------------------------

  /** Scores exact in binary: min-max gives lexical a 1, b 0.5, c 0 and vector b 1, d 0.5, a 0. */
  private final FakeSearchableIndex exact =
      new FakeSearchableIndex(
          List.of("a#0=8", "b#0=4", "c#0=0"), List.of("b#0=1.0", "d#0=0.75", "a#0=0.5"));

  private static SearchConfig score(double bm25Share, int candidates) {
    return SearchConfig.scoreFusion(bm25Share, ScoreNormalization.MIN_MAX, candidates);
  }

  @Test
  void scoreFusionCombinesNormalisedChunkScoresAndLoadsOnlyTheFinalHits() {
    Searcher searcher = Searcher.create(exact, model, score(0.5, 30));

    SearchResult result = searcher.search(request(2, SearchMode.HYBRID));

    // b#0 = 0.25 + 0.5, a#0 = 0.5 + 0, d#0 = 0 + 0.25, c#0 = 0.
    assertThat(chunkIds(result.hits())).containsExactly("b#0", "a#0");
    assertThat(result.hits()).extracting(Hit::score).containsExactly(0.75f, 0.5f);
    assertThat(result.hits()).extracting(Hit::text).startsWith("text of b#0");
    assertThat(exact.lexicalDepths).containsExactly(30);
    assertThat(exact.vectorDepths).containsExactly(30);
    assertThat(exact.loads).hasSize(1);
    assertThat(exact.loads.get(0)).extracting(Candidate::chunkId).containsExactly("b#0", "a#0");

    // BM25 share 0.25: b#0 = 0.125 + 0.75, d#0 = 0.375, a#0 = 0.25.
    assertThat(
            chunkIds(
                Searcher.create(exact, model, score(0.25, 30))
                    .search(request(3, SearchMode.HYBRID))
                    .hits()))
        .containsExactly("b#0", "d#0", "a#0");
  }

  @Test
  void scoreFusionLeavesOutTheListWhoseShareIsZero() {
    List<Hit> lexicalOnly =
        Searcher.create(exact, model, score(1, 100)).search(request(10, SearchMode.HYBRID)).hits();
    assertThat(chunkIds(lexicalOnly)).containsExactly("a#0", "b#0", "c#0");
    assertThat(exact.vectorDepths).isEmpty();
    assertThat(model.calls()).as("no query vector is needed").isZero();

    List<DocumentHit> vectorOnly =
        Searcher.create(exact, model, score(0, 100))
            .searchDocuments(request(10, SearchMode.HYBRID), 100);
    assertThat(vectorOnly).extracting(DocumentHit::docId).containsExactly("b", "d", "a");
    assertThat(exact.lexicalDepths).as("only the first search read BM25").containsExactly(100);
    assertThat(exact.vectorDepths).containsExactly(100);
  }

  @Test
  void documentScoreFusionNormalisesBestChunkScoresPerList() {
    FakeSearchableIndex chunks =
        new FakeSearchableIndex(
            List.of("a#0=4", "many#0=3", "a#1=2", "b#0=0"),
            List.of("c#3=1", "a#1=0.5", "c#0=0.25", "many#0=0"));

    List<DocumentHit> docs =
        Searcher.create(chunks, model, score(0.5, 100))
            .searchDocuments(request(10, SearchMode.HYBRID), 100);

    // Documents by best chunk: lexical a 4, many 3, b 0 (1, 0.75, 0); vector c 1, a 0.5, many 0
    // (1, 0.5, 0). Fused: a 0.5 + 0.25, c 0.5, many 0.375, b 0.
    assertThat(docs)
        .containsExactly(
            new DocumentHit("a", 0.75f),
            new DocumentHit("c", 0.5f),
            new DocumentHit("many", 0.375f),
            new DocumentHit("b", 0f));
    assertThat(chunks.loads).isEmpty();
  }

  @Test
  void documentFusionUsesTheBestCandidatesDocumentsOfEachList() {
    FakeSearchableIndex chunks =
        new FakeSearchableIndex(
            List.of("a#0=4", "many#0=3", "a#1=2", "b#0=0"),
            List.of("c#3=1", "a#1=0.5", "c#0=0.25", "many#0=0"));

    // Candidates 2, k 2: lexical a, many (1, 0); vector c, a (1, 0). a = c = 0.5, both reached
    // rank 1: by id. Without the cut a would lead with 0.75.
    assertThat(
            Searcher.create(chunks, model, score(0.5, 2))
                .searchDocuments(request(2, SearchMode.HYBRID), 100))
        .containsExactly(new DocumentHit("a", 0.5f), new DocumentHit("c", 0.5f));
    // The same cut applies to reciprocal rank fusion: c = a = 1/61 would not tie without it
    // (a = 1/61 + 1/62).
    assertThat(
            Searcher.create(chunks, model, new SearchConfig(60, 1, 1.0, 1.0))
                .searchDocuments(request(1, SearchMode.HYBRID), 100))
        .containsExactly(new DocumentHit("a", (float) (1.0 / 61)));
    assertThat(
            Searcher.fuseDocuments(
                List.of(new DocumentHit("a", 4), new DocumentHit("many", 3)),
                List.of(new DocumentHit("c", 1), new DocumentHit("a", 0.5f)),
                score(0.5, 2),
                2))
        .containsExactly(new DocumentHit("a", 0.5f), new DocumentHit("c", 0.5f));
  }

  @Test
  void theDefaultFusesBm25OverItsBestWithCosinesAsTheyAre() {
    assertThat(SearchConfig.DEFAULT.fusion()).isEqualTo(Fusion.SCORE);
    assertThat(SearchConfig.DEFAULT.normalization()).isEqualTo(ScoreNormalization.MAX);
    Searcher searcher = Searcher.create(exact, model, SearchConfig.DEFAULT);

    List<Hit> hits = searcher.search(request(10, SearchMode.HYBRID)).hits();

    // BM25 / 8: a#0 1, b#0 0.5, c#0 0; cosine: b#0 1, d#0 0.75, a#0 0.5. A chunk missing from a
    // list gets the list's lowest: BM25 0, cosine 0.5.
    // Share 0.3: b#0 0.15 + 0.7, a#0 0.3 + 0.35, d#0 0.525, c#0 0.35.
    assertThat(chunkIds(hits)).containsExactly("b#0", "a#0", "d#0", "c#0");
    assertThat(hits).extracting(Hit::score).containsExactly(0.85f, 0.65f, 0.525f, 0.35f);
  }
}
