package dev.ragtime.eval;

import dev.ragtime.search.SearchConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Grid search over the reciprocal rank fusion settings ({@link SearchConfig#rrfK()}, the ratio of
 * the two list weights, and the candidate depth of each list) on fixed per-query document lists.
 * Tune on a training split and report the chosen setting on the test split, never the reverse.
 *
 * <p>Fusion here is the searcher's own ({@link dev.ragtime.search.ReciprocalRankFusion}) over lists
 * cut at {@code max(100, candidates)} documents, and the fused ranking is 100 deep, as an
 * evaluation at depth 100 searches. Pure; cost grows with grid size × queries.
 *
 * <p>For comparison it also evaluates a fusion the searcher does not offer (yet): a convex
 * combination of min-max normalised scores ({@link #scoreFusion}).
 */
public final class FusionTuner {
  /** Default grid of rank constants. */
  public static final List<Integer> DEFAULT_RRF_KS = List.of(1, 5, 10, 20, 30, 40, 60, 80, 100);

  /** Default grid of vector weights (the lexical weight is 1). */
  public static final List<Double> DEFAULT_VECTOR_WEIGHTS =
      List.of(0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0);

  /** Default grid of candidate depths per list. */
  public static final List<Integer> DEFAULT_CANDIDATES = List.of(100, 200, 300);

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
   * The measures of hybrid search with {@code config} on the given lists.
   *
   * @throws IllegalArgumentException if {@code queries} is empty
   */
  public static MetricScores score(List<QueryLists> queries, SearchConfig config) {
    List<QueryLists> prepared = prepare(queries);
    return scorePrepared(prepared, config);
  }

  /**
   * Every combination of the grid, best first by nDCG@10 (ties: higher MAP@100, then the order of
   * the grid).
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
    List<QueryLists> prepared = prepare(queries);
    List<Trial> trials = new ArrayList<>();
    for (int depth : candidates) {
      for (int k : rrfKs) {
        for (double w : vectorWeights) {
          SearchConfig c = new SearchConfig(k, depth, 1.0, w);
          trials.add(new Trial(c, scorePrepared(prepared, c)));
        }
      }
    }
    List<Trial> sorted = new ArrayList<>(trials);
    sorted.sort(
        Comparator.comparingDouble((Trial t) -> -t.scores().ndcgAt10())
            .thenComparingDouble(t -> -t.scores().mapAt100()));
    return List.copyOf(sorted);
  }

  /** Default grid of vector weights for score fusion: 0, 0.05, ..., 1. */
  public static final List<Double> DEFAULT_SCORE_WEIGHTS = scoreWeights();

  /**
   * One evaluated setting of score fusion (see {@link #scoreFusion}).
   *
   * @param vectorWeight weight of the normalised vector score, in [0, 1]; the lexical score gets
   *     {@code 1 - vectorWeight}
   * @param candidates documents of each list that take part
   * @param scores the measures, averaged over the queries
   */
  public record ScoreTrial(double vectorWeight, int candidates, MetricScores scores) {
    public ScoreTrial {
      Objects.requireNonNull(scores, "scores");
    }
  }

  /**
   * The measures of an alternative to reciprocal rank fusion that the searcher does not offer yet:
   * a convex combination of min-max normalised scores. In each list, cut at {@code candidates}
   * documents, scores are mapped linearly onto [0, 1]; a document's fused score is {@code (1 -
   * vectorWeight) * lexical + vectorWeight * vector} (0 for a list it is not in); 100 documents are
   * kept.
   */
  public static MetricScores scoreFusion(
      List<QueryLists> queries, double vectorWeight, int candidates) {
    if (!(vectorWeight >= 0 && vectorWeight <= 1)) {
      throw new IllegalArgumentException("vectorWeight must be in [0, 1], was " + vectorWeight);
    }
    if (candidates < 1) {
      throw new IllegalArgumentException("candidates must be positive, was " + candidates);
    }
    List<MetricScores> perQuery = new ArrayList<>(queries.size());
    for (QueryLists q : prepare(queries)) {
      List<String> fused =
          DocumentLists.convex(
              q.lexical(), q.vector(), vectorWeight, candidates, MetricScores.DEPTH);
      perQuery.add(MetricScores.of(fused, q.judgments()));
    }
    return MetricScores.mean(perQuery);
  }

  /** Every combination of a score-fusion grid, best first by nDCG@10 (then MAP@100). */
  public static List<ScoreTrial> scoreFusionGrid(
      List<QueryLists> queries, List<Double> vectorWeights, List<Integer> candidates) {
    List<ScoreTrial> trials = new ArrayList<>();
    for (int depth : candidates) {
      for (double w : vectorWeights) {
        trials.add(new ScoreTrial(w, depth, scoreFusion(queries, w, depth)));
      }
    }
    trials.sort(
        Comparator.comparingDouble((ScoreTrial t) -> -t.scores().ndcgAt10())
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
      List<String> fused =
          DocumentLists.fuse(q.lexicalIds(), q.vectorIds(), config, MetricScores.DEPTH);
      perQuery.add(MetricScores.of(fused, q.judgments()));
    }
    return MetricScores.mean(perQuery);
  }
}
