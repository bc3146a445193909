package dev.ragtime.eval;

import dev.ragtime.search.DocumentHit;
import dev.ragtime.search.ScoreNormalization;
import dev.ragtime.search.SearchConfig;
import dev.ragtime.search.Searcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Grid search over the hybrid fusion settings on fixed per-query document lists: reciprocal rank
 * fusion ({@link SearchConfig#rrfK()}, the ratio of the two list weights, the candidate depth) and
 * score fusion (BM25's share, the normalisation, the candidate depth). Tune on a training split and
 * report the chosen setting on the test split, never the reverse.
 *
 * <p>Fusion here is the searcher's own ({@link Searcher#fuseDocuments}): each list cut at {@code
 * max(100, candidates)} documents, and the fused ranking is 100 deep, as an evaluation at depth 100
 * searches. Pure; cost grows with grid size × queries.
 */
public final class FusionTuner {
  /** Default grid of rank constants. */
  public static final List<Integer> DEFAULT_RRF_KS = List.of(1, 5, 10, 20, 30, 40, 60, 80, 100);

  /** Default grid of vector weights (the lexical weight is 1). */
  public static final List<Double> DEFAULT_VECTOR_WEIGHTS =
      List.of(0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0);

  /** Default grid of candidate depths per list. */
  public static final List<Integer> DEFAULT_CANDIDATES = List.of(100, 150, 200, 300);

  /** Default grid of BM25 shares for score fusion: 0, 0.05, ..., 1. */
  public static final List<Double> DEFAULT_SCORE_WEIGHTS = scoreWeights();

  /** Default grid of score normalisations: all of them. */
  public static final List<ScoreNormalization> DEFAULT_NORMALIZATIONS =
      List.of(ScoreNormalization.values());

  /**
   * One evaluated setting.
   *
   * @param config the fusion setting
   * @param scores its measures, averaged over the queries
   */
  public record Trial(SearchConfig config, MetricScores scores) {
    public Trial {
      Objects.requireNonNull(config, "config");
      Objects.requireNonNull(scores, "scores");
    }
  }

  private FusionTuner() {}

  /**
   * The measures of hybrid search with {@code config} (either fusion) on the given lists.
   *
   * @throws IllegalArgumentException if {@code queries} is empty
   */
  public static MetricScores score(List<QueryLists> queries, SearchConfig config) {
    return scorePrepared(prepare(queries), config);
  }

  /**
   * Every combination of a reciprocal rank fusion grid, best first by nDCG@10 (ties: higher
   * MAP@100, then the order of the grid).
   *
   * @param rrfKs rank constants to try
   * @param vectorWeights vector weights to try, the lexical weight being 1
   * @param candidates candidate depths to try
   */
  public static List<Trial> grid(
      List<QueryLists> queries,
      List<Integer> rrfKs,
      List<Double> vectorWeights,
      List<Integer> candidates) {
    List<SearchConfig> configs = new ArrayList<>();
    for (int depth : candidates) {
      for (int k : rrfKs) {
        for (double w : vectorWeights) {
          configs.add(new SearchConfig(k, depth, 1.0, w));
        }
      }
    }
    return evaluate(prepare(queries), configs);
  }

  /**
   * Every combination of a score fusion grid, best first by nDCG@10 (ties: higher MAP@100, then the
   * order of the grid).
   *
   * @param scoreWeights BM25 shares to try, each in [0, 1]
   * @param normalizations normalisations to try
   * @param candidates candidate depths to try
   */
  public static List<Trial> scoreGrid(
      List<QueryLists> queries,
      List<Double> scoreWeights,
      List<ScoreNormalization> normalizations,
      List<Integer> candidates) {
    List<SearchConfig> configs = new ArrayList<>();
    for (ScoreNormalization n : normalizations) {
      for (int depth : candidates) {
        for (double w : scoreWeights) {
          configs.add(SearchConfig.scoreFusion(w, n, depth));
        }
      }
    }
    return evaluate(prepare(queries), configs);
  }

  private static List<Trial> evaluate(List<QueryLists> queries, List<SearchConfig> configs) {
    List<Trial> trials = new ArrayList<>(configs.size());
    for (SearchConfig c : configs) {
      trials.add(new Trial(c, scorePrepared(queries, c)));
    }
    trials.sort(
        Comparator.comparingDouble((Trial t) -> -t.scores().ndcgAt10())
            .thenComparingDouble(t -> -t.scores().mapAt100()));
    return List.copyOf(trials);
  }

  private static List<Double> scoreWeights() {
    List<Double> weights = new ArrayList<>();
    for (int i = 0; i <= 20; i++) {
      weights.add(i / 20.0);
    }
    return List.copyOf(weights);
  }

  private static List<QueryLists> prepare(List<QueryLists> queries) {
    if (queries.isEmpty()) {
      throw new IllegalArgumentException("no queries to tune on");
    }
    return List.copyOf(queries);
  }

  private static MetricScores scorePrepared(List<QueryLists> queries, SearchConfig config) {
    List<MetricScores> perQuery = new ArrayList<>(queries.size());
    for (QueryLists q : queries) {
      List<DocumentHit> fused =
          Searcher.fuseDocuments(q.lexical(), q.vector(), config, MetricScores.DEPTH);
      perQuery.add(MetricScores.of(DocumentLists.ids(fused), q.judgments()));
    }
    return MetricScores.mean(perQuery);
  }
}
