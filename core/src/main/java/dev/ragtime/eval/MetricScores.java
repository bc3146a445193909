package dev.ragtime.eval;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The four measures Ragtime reports, for one query or averaged over queries (see {@link
 * RetrievalMetrics} for their definitions).
 *
 * @param ndcgAt10 nDCG@10
 * @param recallAt100 Recall@100
 * @param mrrAt10 MRR@10 (reciprocal rank of the first relevant document within 10)
 * @param mapAt100 MAP@100 (average precision cut at 100)
 */
public record MetricScores(double ndcgAt10, double recallAt100, double mrrAt10, double mapAt100) {
  /** How deep a ranking must be for every measure here: 100 documents. */
  public static final int DEPTH = 100;

  public MetricScores {
    check("ndcgAt10", ndcgAt10);
    check("recallAt100", recallAt100);
    check("mrrAt10", mrrAt10);
    check("mapAt100", mapAt100);
  }

  /** The measures of one query's ranking. */
  public static MetricScores of(List<String> ranking, Map<String, Integer> judgments) {
    return new MetricScores(
        RetrievalMetrics.ndcg(ranking, judgments, 10),
        RetrievalMetrics.recall(ranking, judgments, 100),
        RetrievalMetrics.reciprocalRank(ranking, judgments, 10),
        RetrievalMetrics.averagePrecision(ranking, judgments, 100));
  }

  /**
   * The arithmetic mean of each measure.
   *
   * @throws IllegalArgumentException if {@code perQuery} is empty
   */
  public static MetricScores mean(Collection<MetricScores> perQuery) {
    if (perQuery.isEmpty()) {
      throw new IllegalArgumentException("no queries to average");
    }
    double n = 0;
    double r = 0;
    double m = 0;
    double a = 0;
    for (MetricScores s : perQuery) {
      n += s.ndcgAt10;
      r += s.recallAt100;
      m += s.mrrAt10;
      a += s.mapAt100;
    }
    int q = perQuery.size();
    return new MetricScores(n / q, r / q, m / q, a / q);
  }

  private static void check(String name, double value) {
    // A little slack for rounding in means.
    if (!(value >= 0 && value <= 1 + 1e-9)) {
      throw new IllegalArgumentException(name + " must be in [0, 1], was " + value);
    }
  }
}
