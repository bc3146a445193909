package dev.ragtime.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.ragtime.index.Candidate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScoreFusionTest {
  /** A scored item; the fused score (a float) replaces {@code score}. */
  record Item(String id, double score) {}

  private static List<Item> list(Object... idsAndScores) {
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < idsAndScores.length; i += 2) {
      items.add(new Item((String) idsAndScores[i], ((Number) idsAndScores[i + 1]).doubleValue()));
    }
    return items;
  }

  private static List<Item> fuse(
      List<Item> lexical, List<Item> vector, double share, ScoreNormalization n, int topN) {
    // Depth = the longer list: the lists are taken as cut, not exhaustive.
    int depth = Math.max(1, Math.max(lexical.size(), vector.size()));
    return ScoreFusion.fuse(
        lexical,
        vector,
        share,
        n,
        topN,
        depth,
        Item::id,
        Item::score,
        (it, s) -> new Item(it.id(), s));
  }

  @Test
  void aBm25ListShorterThanItsDepthHoldsEveryMatchSoAMissingItemScoresZeroThere() {
    // Only "id7" contains the query's rare term; the vector list prefers other documents.
    List<Item> lexical = list("id7", 12.0);
    List<Item> vector = list("id17", 0.6, "id3", 0.5, "id7", 0.4);

    List<Item> exhaustive =
        ScoreFusion.fuse(
            lexical,
            vector,
            0.3,
            ScoreNormalization.MAX,
            10,
            100,
            Item::id,
            Item::score,
            (it, s) -> new Item(it.id(), s));
    // id7: 0.3 * 1 + 0.7 * 0.4 = 0.58; id17: 0 + 0.7 * 0.6 = 0.42; id3: 0.35.
    assertThat(ids(exhaustive)).containsExactly("id7", "id17", "id3");
    assertThat(exhaustive.get(0).score()).isCloseTo(0.58, within(1e-6));
    assertThat(exhaustive.get(1).score()).isCloseTo(0.42, within(1e-6));

    // Cut at depth 1, the same list says nothing about the rest: they get its lowest value, 1.
    List<Item> cut =
        ScoreFusion.fuse(
            lexical,
            vector,
            0.3,
            ScoreNormalization.MAX,
            10,
            1,
            Item::id,
            Item::score,
            (it, s) -> new Item(it.id(), s));
    assertThat(ids(cut)).containsExactly("id17", "id3", "id7");
  }

  private static List<Item> minMax(List<Item> lexical, List<Item> vector, double share) {
    return fuse(lexical, vector, share, ScoreNormalization.MIN_MAX, 10);
  }

  private static List<String> ids(List<Item> items) {
    return items.stream().map(Item::id).toList();
  }

  @Test
  void minMaxNormalisesEachListAndCombinesThemByTheBm25Share() {
    // Lexical a 1, b 0.5, c 0; vector b 1, d 0.5, a 0; a missing list counts 0.
    List<Item> lexical = list("a", 10, "b", 6, "c", 2);
    List<Item> vector = list("b", 0.8, "d", 0.6, "a", 0.4);

    // Share 0.5: b 0.75, a 0.5, d 0.25, c 0.
    List<Item> even = minMax(lexical, vector, 0.5);
    assertThat(ids(even)).containsExactly("b", "a", "d", "c");
    assertThat(even)
        .extracting(Item::score)
        .satisfiesExactly(
            s -> assertThat(s).isCloseTo(0.75, within(1e-6)),
            s -> assertThat(s).isCloseTo(0.5, within(1e-6)),
            s -> assertThat(s).isCloseTo(0.25, within(1e-6)),
            s -> assertThat(s).isCloseTo(0.0, within(1e-6)));

    // Share 0.8: a 0.8, b 0.4 + 0.2 = 0.6, d 0.1, c 0.
    assertThat(ids(minMax(lexical, vector, 0.8))).containsExactly("a", "b", "d", "c");
    // Shares 1 and 0 rank by one list alone; the items at 0 follow by their best rank.
    assertThat(ids(minMax(lexical, vector, 1))).containsExactly("a", "b", "d", "c");
    assertThat(ids(minMax(lexical, vector, 0))).containsExactly("b", "d", "a", "c");
  }

  @Test
  void maxDividesBm25ByItsBestAndKeepsCosinesAsTheyAre() {
    // Lexical a 1, b 0.5, c 0.2, missing 0.2 (the lowest); vector b 0.75, d 0.5, a 0.25, missing
    // 0.25 (the lowest).
    List<Item> lexical = list("a", 10, "b", 5, "c", 2);
    List<Item> vector = list("b", 0.75, "d", 0.5, "a", 0.25);

    // Share 0.3: b 0.15 + 0.525, a 0.3 + 0.175, d 0.06 + 0.35, c 0.06 + 0.175.
    List<Item> fused = fuse(lexical, vector, 0.3, ScoreNormalization.MAX, 10);
    assertThat(ids(fused)).containsExactly("b", "a", "d", "c");
    assertThat(fused)
        .extracting(Item::score)
        .satisfiesExactly(
            s -> assertThat(s).isCloseTo(0.675, within(1e-6)),
            s -> assertThat(s).isCloseTo(0.475, within(1e-6)),
            s -> assertThat(s).isCloseTo(0.41, within(1e-6)),
            s -> assertThat(s).isCloseTo(0.235, within(1e-6)));

    // Share 0.5: a 0.5 + 0.125 = b 0.25 + 0.375, both reached rank 1: id decides.
    // d 0.1 + 0.25 beats c 0.1 + 0.125.
    List<Item> even = fuse(lexical, vector, 0.5, ScoreNormalization.MAX, 10);
    assertThat(ids(even)).containsExactly("a", "b", "d", "c");
    assertThat(even.get(0).score()).isEqualTo(even.get(1).score()).isEqualTo(0.625);
  }

  @Test
  void maxWithAnEmptyBm25ListRanksByCosineIncludingNegativeOnes() {
    List<Item> fused = fuse(List.of(), list("x", 0.5, "y", -0.25), 0.5, ScoreNormalization.MAX, 10);

    assertThat(fused).containsExactly(new Item("x", 0.25), new Item("y", -0.125));
    // One BM25 candidate is its own best: 1.
    assertThat(fuse(list("only", 3.5), List.of(), 0.5, ScoreNormalization.MAX, 10))
        .containsExactly(new Item("only", 0.5));
  }

  @Test
  void equalFusedScoresAreOrderedByBestRankThenId() {
    // Lexical z 1, a 0.5, c 0; vector c 1, a 0.5, b 0. Share 0.5: z, a and c all score 0.5.
    // z and c reached rank 1 (id decides: c first), a only rank 2; b scores 0.
    List<Item> fused =
        minMax(list("z", 8, "a", 4, "c", 0), list("c", 1.0, "a", 0.625, "b", 0.25), 0.5);

    assertThat(ids(fused)).containsExactly("c", "z", "a", "b");
    assertThat(fused.subList(0, 3)).extracting(Item::score).containsOnly(0.5);
  }

  @Test
  void anEmptyListContributesNothingAndBothEmptyGiveNothing() {
    List<Item> vectorOnly = minMax(List.of(), list("x", 0.9, "y", 0.5), 0.5);
    assertThat(vectorOnly).containsExactly(new Item("x", 0.5), new Item("y", 0.0));

    List<Item> lexicalOnly = minMax(list("p", 3, "q", 1), List.of(), 0.25);
    assertThat(lexicalOnly).containsExactly(new Item("p", 0.25), new Item("q", 0.0));

    assertThat(minMax(List.of(), List.of(), 0.5)).isEmpty();
  }

  @Test
  void aListWhoseScoresAreAllEqualGivesEachOfItsItemsTheFullShare() {
    // Lexical a = b = 2: both 1, so both beat an item missing from the lexical list; vector c 1,
    // a 0. Share 0.5: a, b and c all 0.5; a and c reached rank 1, b rank 2.
    List<Item> fused = minMax(list("a", 2, "b", 2), list("c", 0.7, "a", 0.3), 0.5);

    assertThat(ids(fused)).containsExactly("a", "c", "b");
    assertThat(fused).extracting(Item::score).containsOnly(0.5);

    // A single item is a list of equal scores too.
    assertThat(minMax(list("only", 7), list("v", 0.9, "w", 0.1), 0.75))
        .containsExactly(new Item("only", 0.75), new Item("v", 0.25), new Item("w", 0.0));
  }

  @Test
  void anItemRepeatedInOneListCountsAtItsFirstOccurrenceOnly() {
    // Lexical: a's second occurrence (3) is ignored, so min 1, max 5: a 1, b 0.
    List<Item> fused = minMax(list("a", 5, "b", 1, "a", 3), list("b", 0.5, "b", 0.9), 0.5);

    // Vector: b once, at 0.5, alone: 1. a = 0.5, b = 0 + 0.5.
    assertThat(fused).containsExactly(new Item("a", 0.5), new Item("b", 0.5));
  }

  @Test
  void topNCutsTheFusedList() {
    assertThat(
            ids(
                fuse(
                    list("a", 3, "b", 2, "c", 1),
                    list("c", 0.9),
                    0.5,
                    ScoreNormalization.MIN_MAX,
                    2)))
        .containsExactly("a", "c");
  }

  @Test
  void candidatesKeepTheirDocumentAndRefAndCarryTheFusedScore() {
    List<Candidate> fused =
        ScoreFusion.fuse(
            List.of(new Candidate("d1", "d1#0", 4f, 7), new Candidate("d2", "d2#0", 2f, 8)),
            List.of(new Candidate("d2", "d2#0", 0.9f, 3)),
            0.5,
            ScoreNormalization.MIN_MAX,
            10,
            2);

    // d2#0: 0 + 0.5 (the lexical occurrence is kept: ref 8); d1#0: 0.5 + 0 (missing).
    // Tie: d1#0 reached rank 1 in the lexical list, d2#0 rank 1 in the vector list: id decides.
    assertThat(fused)
        .containsExactly(
            new Candidate("d1", "d1#0", 0.5f, 7), new Candidate("d2", "d2#0", 0.5f, 8));
  }

  @Test
  void outOfRangeArgumentsAreRejectedNamingTheValue() {
    List<Item> l = list("a", 1);
    assertThatThrownBy(() -> minMax(l, l, 1.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1.5");
    assertThatThrownBy(() -> minMax(l, l, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NaN");
    assertThatThrownBy(() -> fuse(l, l, 0.5, ScoreNormalization.MIN_MAX, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was 0");
    assertThatThrownBy(
            () ->
                ScoreFusion.fuse(
                    l,
                    l,
                    0.5,
                    ScoreNormalization.MAX,
                    10,
                    0,
                    Item::id,
                    Item::score,
                    (it, s) -> new Item(it.id(), s)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("depth must be positive, was 0");
    assertThatThrownBy(() -> minMax(list("bad", Double.NaN), l, 0.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'bad'");
  }
}
