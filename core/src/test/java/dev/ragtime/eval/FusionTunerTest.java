package dev.ragtime.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.ragtime.search.DocumentHit;
import dev.ragtime.search.Fusion;
import dev.ragtime.search.ScoreNormalization;
import dev.ragtime.search.SearchConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FusionTunerTest {
  /** BM25 puts the relevant r third; the vector list puts it first and a, BM25's first, fourth. */
  private static final QueryLists QUERY =
      new QueryLists(
          "q",
          List.of(
              new DocumentHit("a", 12f),
              new DocumentHit("b", 11f),
              new DocumentHit("r", 10f),
              new DocumentHit("c", 2f)),
          List.of(
              new DocumentHit("r", 0.9f),
              new DocumentHit("x", 0.7f),
              new DocumentHit("y", 0.5f),
              new DocumentHit("a", 0.1f)),
          Map.of("r", 1));

  @Test
  void reciprocalRankFusionWeighsRanksByTheConfiguredConstantAndWeights() {
    // k = 60, equal weights: r = 1/63 + 1/61 beats a = 1/61 + 1/64.
    MetricScores rrf = FusionTuner.score(List.of(QUERY), new SearchConfig(60, 100, 1, 1));
    assertThat(rrf.mrrAt10()).isEqualTo(1.0);
    // Vector weight 0.1: a = 1/61 + 0.1/64 beats r = 1/63 + 0.1/61, which beats b = 1/62.
    MetricScores lexical = FusionTuner.score(List.of(QUERY), new SearchConfig(60, 100, 1, 0.1));
    assertThat(lexical.mrrAt10()).isEqualTo(0.5);
  }

  @Test
  void theGridListsEveryCombinationBestFirst() {
    List<FusionTuner.Trial> trials =
        FusionTuner.grid(List.of(QUERY), List.of(1, 60), List.of(0.1, 1.0), List.of(100, 200));
    assertThat(trials).hasSize(8);
    assertThat(trials.get(0).scores().ndcgAt10()).isEqualTo(1.0);
    // k = 1, vector weight 0.1: a = 1/2 + 0.1/5 and b = 1/3 both beat r = 1/4 + 0.1/2.
    assertThat(trials.get(trials.size() - 1).scores().mrrAt10()).isCloseTo(1.0 / 3, within(1e-12));
  }

  @Test
  void scoreFusionCombinesNormalisedScoresWithTheBm25Share() {
    // Min-max: lexical a 1, b 0.9, r 0.8, c 0; vector r 1, x 0.75, y 0.5, a 0.
    // BM25 share 0.5: r 0.9 first.
    assertThat(
            FusionTuner.score(
                    List.of(QUERY), SearchConfig.scoreFusion(0.5, ScoreNormalization.MIN_MAX, 100))
                .mrrAt10())
        .isEqualTo(1.0);
    // BM25 share 0.9: a 0.9 beats r 0.82.
    assertThat(
            FusionTuner.score(
                    List.of(QUERY), SearchConfig.scoreFusion(0.9, ScoreNormalization.MIN_MAX, 100))
                .mrrAt10())
        .isCloseTo(0.5, within(1e-12));
  }

  @Test
  void scoreGridListsEveryCombinationBestFirstAndNeedsQueries() {
    List<FusionTuner.Trial> trials =
        FusionTuner.scoreGrid(
            List.of(QUERY),
            FusionTuner.DEFAULT_SCORE_WEIGHTS,
            List.of(ScoreNormalization.MAX, ScoreNormalization.MIN_MAX),
            List.of(100, 200));
    assertThat(trials).hasSize(21 * 2 * 2);
    assertThat(trials).allMatch(t -> t.config().fusion() == Fusion.SCORE);
    assertThat(trials.get(0).scores().ndcgAt10()).isEqualTo(1.0);
    // All BM25: a, b, r.
    assertThat(trials.get(trials.size() - 1).scores().mrrAt10()).isCloseTo(1.0 / 3, within(1e-12));
    assertThatThrownBy(() -> FusionTuner.score(List.of(), SearchConfig.DEFAULT))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
