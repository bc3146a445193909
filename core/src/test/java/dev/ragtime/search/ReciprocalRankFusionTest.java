package dev.ragtime.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.ragtime.index.Hit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReciprocalRankFusionTest {

  private static Hit hit(String chunkId) {
    return new Hit("doc-" + chunkId, chunkId, 99f, "text of " + chunkId, Map.of());
  }

  private static List<Hit> list(String... chunkIds) {
    return Arrays.stream(chunkIds).map(ReciprocalRankFusionTest::hit).toList();
  }

  private static List<String> ids(List<Hit> hits) {
    return hits.stream().map(Hit::chunkId).toList();
  }

  @Test
  void sumsReciprocalRanksAcrossLists() {
    // k = 60: a = 1/61, b = 1/62 + 1/61, c = 1/63, d = 1/62
    List<Hit> fused =
        ReciprocalRankFusion.fuse(
            List.of(list("a", "b", "c"), list("b", "d")), List.of(1.0, 1.0), 60, 10);

    assertThat(ids(fused)).containsExactly("b", "a", "d", "c");
    assertThat((double) fused.get(0).score()).isCloseTo(1.0 / 62 + 1.0 / 61, within(1e-7));
    assertThat((double) fused.get(1).score()).isCloseTo(1.0 / 61, within(1e-7));
    assertThat((double) fused.get(2).score()).isCloseTo(1.0 / 62, within(1e-7));
    assertThat((double) fused.get(3).score()).isCloseTo(1.0 / 63, within(1e-7));
  }

  @Test
  void weightsScaleEachListsContribution() {
    // k = 0: x = 2/1 + 1/2 = 2.5, y = 2/2 + 1/1 = 2.0
    List<Hit> fused =
        ReciprocalRankFusion.fuse(
            List.of(list("x", "y"), list("y", "x")), List.of(2.0, 1.0), 0, 10);

    assertThat(ids(fused)).containsExactly("x", "y");
    assertThat(fused.get(0).score()).isEqualTo(2.5f);
    assertThat(fused.get(1).score()).isEqualTo(2.0f);

    // the other way round: x = 1/1 + 2/2 = 2.0, y = 1/2 + 2/1 = 2.5
    assertThat(
            ids(
                ReciprocalRankFusion.fuse(
                    List.of(list("x", "y"), list("y", "x")), List.of(1.0, 2.0), 0, 10)))
        .containsExactly("y", "x");
  }

  @Test
  void equalScoresAreOrderedByBestRankThenChunkId() {
    // k = 0: b = 1/2 (best rank 2), c = 0.5/1 (best rank 1): c first.
    assertThat(
            ids(
                ReciprocalRankFusion.fuse(
                    List.of(list("a", "b"), list("c")), List.of(1.0, 0.5), 0, 10)))
        .containsExactly("a", "c", "b");

    // q = 1/1 + 1/2 = p; both best rank 1: chunk id decides, not list order.
    assertThat(
            ids(
                ReciprocalRankFusion.fuse(
                    List.of(list("q", "p"), list("p", "q")), List.of(1.0, 1.0), 0, 10)))
        .containsExactly("p", "q");
  }

  @Test
  void listsOfDifferentLengthsAndEmptyListsFuse() {
    // k = 1: a = 1/2 + 1/5, b = 1/3, c = 1/4, d = 1/2
    List<Hit> fused =
        ReciprocalRankFusion.fuse(
            List.of(list("a", "b", "c"), List.of(), list("d", "x", "y", "a")),
            List.of(1.0, 1.0, 1.0),
            1,
            10);

    assertThat(ids(fused)).containsExactly("a", "d", "b", "x", "c", "y");
    assertThat((double) fused.get(0).score()).isCloseTo(0.7, within(1e-7));
  }

  @Test
  void aChunkRepeatedInOneListCountsOnlyAtItsFirstRank() {
    // k = 0: a = 1/1 (its second place is ignored but still occupies rank 2); b = 1/3
    List<Hit> fused = ReciprocalRankFusion.fuse(List.of(list("a", "a", "b")), List.of(1.0), 0, 10);

    assertThat(ids(fused)).containsExactly("a", "b");
    assertThat(fused.get(0).score()).isEqualTo(1.0f);
    assertThat((double) fused.get(1).score()).isCloseTo(1.0 / 3, within(1e-7));
  }

  @Test
  void topNTruncatesTheFusedList() {
    List<Hit> fused =
        ReciprocalRankFusion.fuse(
            List.of(list("a", "b", "c", "d"), list("d", "c")), List.of(1.0, 1.0), 60, 2);

    // d = 1/64 + 1/61, c = 1/63 + 1/62, a = 1/61
    assertThat(ids(fused)).containsExactly("d", "c");
  }

  @Test
  void fusedHitsKeepTheFirstOccurrenceWithTheFusedScore() {
    Hit fromLexical = new Hit("doc", "c1", 12.5f, "lexical copy", Map.of("src", "bm25"));
    Hit fromVector = new Hit("doc", "c1", 0.9f, "vector copy", Map.of("src", "knn"));

    Hit fused =
        ReciprocalRankFusion.fuse(
                List.of(List.of(fromLexical), List.of(fromVector)), List.of(1.0, 1.0), 60, 1)
            .get(0);

    assertThat(fused.text()).isEqualTo("lexical copy");
    assertThat(fused.metadata()).containsEntry("src", "bm25");
    assertThat((double) fused.score()).isCloseTo(2.0 / 61, within(1e-7));
  }

  @Test
  void aZeroWeightListStillContributesItsHitsAtScoreZero() {
    List<Hit> fused =
        ReciprocalRankFusion.fuse(List.of(list("a"), list("z")), List.of(1.0, 0.0), 60, 10);

    assertThat(ids(fused)).containsExactly("a", "z");
    assertThat(fused.get(1).score()).isZero();
  }

  @Test
  void noListsGiveNoHits() {
    assertThat(ReciprocalRankFusion.fuse(List.of(), List.of(), 60, 10)).isEmpty();
  }

  @Test
  void invalidArgumentsAreRejectedNamingTheValue() {
    List<List<Hit>> one = List.of(list("a"));

    assertThatThrownBy(() -> ReciprocalRankFusion.fuse(one, List.of(1.0, 1.0), 60, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2 for 1");
    assertThatThrownBy(() -> ReciprocalRankFusion.fuse(one, List.of(1.0), -1, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
    assertThatThrownBy(() -> ReciprocalRankFusion.fuse(one, List.of(1.0), 60, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was 0");
    assertThatThrownBy(() -> ReciprocalRankFusion.fuse(one, List.of(-0.5), 60, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-0.5");
    assertThatThrownBy(() -> ReciprocalRankFusion.fuse(one, List.of(Double.NaN), 60, 10))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anyKindOfItemCanBeFusedByItsIdKeepingItsFirstOccurrence() {
    // k = 60: d2 = 1/62 + 1/61, d1 = 1/61, d3 = 1/62; d1 and d3 keep their first occurrence.
    List<DocumentHit> fused =
        ReciprocalRankFusion.fuse(
            List.of(
                List.of(new DocumentHit("d1", 5f), new DocumentHit("d2", 4f)),
                List.of(new DocumentHit("d2", 0.9f), new DocumentHit("d3", 0.8f))),
            List.of(1.0, 1.0),
            60,
            10,
            DocumentHit::docId,
            (d, score) -> new DocumentHit(d.docId() + "'", score));

    assertThat(fused)
        .containsExactly(
            new DocumentHit("d2'", (float) (1.0 / 62 + 1.0 / 61)),
            new DocumentHit("d1'", (float) (1.0 / 61)),
            new DocumentHit("d3'", (float) (1.0 / 62)));
  }
}
