package dev.ragtime.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetrievalMetricsTest {
  private static final double EPS = 1e-12;

  /**
   * Graded judgments: d1 is highly relevant (2), d2 and d3 relevant (1), d9 judged not relevant.
   * The system ranks d4 d1 d9 d3 d5 and never finds d2.
   */
  private static final Map<String, Integer> JUDGED = Map.of("d1", 2, "d2", 1, "d3", 1, "d9", 0);

  private static final List<String> RANKING = List.of("d4", "d1", "d9", "d3", "d5");

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  @Test
  void ndcgUsesLinearGainsLog2DiscountAndTheIdealOrderOfAllJudgedDocuments() {
    // DCG@10 = 2/log2(3) + 1/log2(5); ideal = 2/log2(2) + 1/log2(3) + 1/log2(4), d2 included
    // although it was never retrieved.
    double dcg = 2 / log2(3) + 1 / log2(5);
    double ideal = 2 + 1 / log2(3) + 0.5;
    assertThat(RetrievalMetrics.ndcg(RANKING, JUDGED, 10)).isCloseTo(dcg / ideal, within(EPS));
    assertThat(RetrievalMetrics.ndcg(RANKING, JUDGED, 10))
        .isCloseTo(0.5405857679450102, within(1e-12));
    // Cut at 3: only d1 counts; the ideal is cut at 3 too.
    assertThat(RetrievalMetrics.ndcg(RANKING, JUDGED, 3))
        .isCloseTo((2 / log2(3)) / ideal, within(EPS));
  }

  @Test
  void ndcgIsOneForTheIdealRankingAndZeroWithoutRelevantDocuments() {
    assertThat(RetrievalMetrics.ndcg(List.of("d1", "d2", "d3"), JUDGED, 10))
        .isCloseTo(1.0, within(EPS));
    assertThat(RetrievalMetrics.ndcg(List.of("d1", "d3", "d2"), JUDGED, 10))
        .isCloseTo(1.0, within(EPS)); // equal grades in either order
    assertThat(RetrievalMetrics.ndcg(RANKING, Map.of("d4", 0), 10)).isZero();
    assertThat(RetrievalMetrics.ndcg(List.of(), JUDGED, 10)).isZero();
  }

  @Test
  void recallCountsRelevantDocumentsWithinTheCutoffOverAllRelevantDocuments() {
    assertThat(RetrievalMetrics.recall(RANKING, JUDGED, 100)).isCloseTo(2.0 / 3, within(EPS));
    assertThat(RetrievalMetrics.recall(RANKING, JUDGED, 2)).isCloseTo(1.0 / 3, within(EPS));
    assertThat(RetrievalMetrics.recall(RANKING, JUDGED, 1)).isZero();
  }

  @Test
  void reciprocalRankIsThatOfTheFirstRelevantDocumentWithinTheCutoff() {
    assertThat(RetrievalMetrics.reciprocalRank(RANKING, JUDGED, 10)).isCloseTo(0.5, within(EPS));
    assertThat(RetrievalMetrics.reciprocalRank(RANKING, JUDGED, 1)).isZero();
    assertThat(RetrievalMetrics.reciprocalRank(List.of("d9", "d5"), JUDGED, 10)).isZero();
  }

  @Test
  void averagePrecisionSumsPrecisionAtEachRelevantHitOverAllRelevantDocuments() {
    // Relevant at ranks 2 and 4: (1/2 + 2/4) / 3.
    assertThat(RetrievalMetrics.averagePrecision(RANKING, JUDGED, 100))
        .isCloseTo(1.0 / 3, within(EPS));
    // Cut at 3: only rank 2 counts, still divided by all 3 relevant.
    assertThat(RetrievalMetrics.averagePrecision(RANKING, JUDGED, 3))
        .isCloseTo(1.0 / 6, within(EPS));
  }

  @Test
  void aDocumentRepeatedInTheRankingCountsOnlyAtItsFirstPosition() {
    List<String> repeated = List.of("d1", "d1", "d3");
    assertThat(RetrievalMetrics.recall(repeated, JUDGED, 2)).isCloseTo(2.0 / 3, within(EPS));
    assertThat(RetrievalMetrics.averagePrecision(repeated, JUDGED, 10))
        .isCloseTo((1.0 + 1.0) / 3, within(EPS));
  }

  @Test
  void documentsAfterTheHundredthDoNotCountTowardsRecallOrAveragePrecision() {
    List<String> ranking = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      ranking.add("x" + i);
    }
    ranking.add("d1");
    assertThat(RetrievalMetrics.recall(ranking, JUDGED, 100)).isZero();
    assertThat(RetrievalMetrics.recall(ranking, JUDGED, 101)).isCloseTo(1.0 / 3, within(EPS));
    assertThat(RetrievalMetrics.averagePrecision(ranking, JUDGED, 100)).isZero();
  }

  @Test
  void metricScoresBundleTheFourReportedMeasuresAndAverageThem() {
    MetricScores one = MetricScores.of(RANKING, JUDGED);
    assertThat(one.ndcgAt10()).isCloseTo(0.5405857679450102, within(1e-12));
    assertThat(one.recallAt100()).isCloseTo(2.0 / 3, within(EPS));
    assertThat(one.mrrAt10()).isCloseTo(0.5, within(EPS));
    assertThat(one.mapAt100()).isCloseTo(1.0 / 3, within(EPS));

    MetricScores perfect = MetricScores.of(List.of("d1", "d2", "d3"), JUDGED);
    MetricScores mean = MetricScores.mean(List.of(one, perfect));
    assertThat(mean.ndcgAt10()).isCloseTo((0.5405857679450102 + 1) / 2, within(1e-12));
    assertThat(mean.mrrAt10()).isCloseTo(0.75, within(EPS));
    assertThatThrownBy(() -> MetricScores.mean(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aCutoffBelowOneIsRejected() {
    assertThatThrownBy(() -> RetrievalMetrics.ndcg(RANKING, JUDGED, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was 0");
  }
}
