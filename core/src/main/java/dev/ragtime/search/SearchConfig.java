package dev.ragtime.search;

import java.util.Objects;

/**
 * Tuning of retrieval: how many candidates each list contributes to hybrid search, and how the two
 * lists are fused.
 *
 * @param rrfK reciprocal rank fusion constant: a hit at rank r (1-based) contributes {@code 1 /
 *     (rrfK + r)}; larger values flatten the contribution of top ranks ({@link Fusion#RRF} only)
 * @param candidates how many hits each of BM25 and kNN contributes to fusion (and the kNN beam
 *     width); at least the requested k is always used
 * @param lexicalWeight weight of the BM25 list in reciprocal rank fusion ({@link Fusion#RRF} only)
 * @param vectorWeight weight of the vector list in reciprocal rank fusion ({@link Fusion#RRF} only)
 * @param fusion how hybrid search merges the two lists
 * @param scoreWeight BM25's share α of score fusion, in [0, 1]; the vector list's share is {@code 1
 *     - α} ({@link Fusion#SCORE} only)
 * @param normalization how score fusion puts the two lists' scores on one scale ({@link
 *     Fusion#SCORE} only)
 */
public record SearchConfig(
    int rrfK,
    int candidates,
    double lexicalWeight,
    double vectorWeight,
    Fusion fusion,
    double scoreWeight,
    ScoreNormalization normalization) {
  public static final int DEFAULT_RRF_K = 60;

  public static final int DEFAULT_CANDIDATES = 100;

  /** Score fusion: it beat reciprocal rank fusion on SciFact's train and test splits. */
  public static final Fusion DEFAULT_FUSION = Fusion.SCORE;

  /**
   * BM25's share of score fusion: the middle of the best range on SciFact's train split (0.25 to
   * 0.35 within 0.0025 nDCG@10 of the best in both evaluation protocols).
   */
  public static final double DEFAULT_SCORE_WEIGHT = 0.3;

  public static final ScoreNormalization DEFAULT_NORMALIZATION = ScoreNormalization.MAX;

  /**
   * Score fusion ({@link #DEFAULT_SCORE_WEIGHT}, {@link #DEFAULT_NORMALIZATION}) of {@link
   * #DEFAULT_CANDIDATES} candidates per list; the reciprocal rank fusion settings (rrf-k 60,
   * weights 1 : 1) apply when {@link #fusion()} is switched to {@link Fusion#RRF}.
   */
  public static final SearchConfig DEFAULT =
      new SearchConfig(
          DEFAULT_RRF_K,
          DEFAULT_CANDIDATES,
          1.0,
          1.0,
          DEFAULT_FUSION,
          DEFAULT_SCORE_WEIGHT,
          DEFAULT_NORMALIZATION);

  public SearchConfig {
    if (rrfK < 0 || rrfK > 10_000) {
      throw new IllegalArgumentException("rrfK must be in [0, 10000], was " + rrfK);
    }
    if (candidates < 1 || candidates > 10_000) {
      throw new IllegalArgumentException("candidates must be in [1, 10000], was " + candidates);
    }
    if (!(lexicalWeight >= 0)
        || !(vectorWeight >= 0)
        || Double.isInfinite(lexicalWeight)
        || Double.isInfinite(vectorWeight)
        || lexicalWeight + vectorWeight == 0) {
      throw new IllegalArgumentException(
          "fusion weights must be finite, >= 0 and not both 0, were lexical="
              + lexicalWeight
              + " vector="
              + vectorWeight);
    }
    Objects.requireNonNull(fusion, "fusion");
    if (!(scoreWeight >= 0 && scoreWeight <= 1)) {
      throw new IllegalArgumentException("scoreWeight must be in [0, 1], was " + scoreWeight);
    }
    Objects.requireNonNull(normalization, "normalization");
  }

  /**
   * Reciprocal rank fusion with the given settings (score-fusion settings at their defaults).
   *
   * @see #withFusion
   */
  public SearchConfig(int rrfK, int candidates, double lexicalWeight, double vectorWeight) {
    this(
        rrfK,
        candidates,
        lexicalWeight,
        vectorWeight,
        Fusion.RRF,
        DEFAULT_SCORE_WEIGHT,
        DEFAULT_NORMALIZATION);
  }

  /** Score fusion with BM25 share {@code scoreWeight}, the other settings from {@link #DEFAULT}. */
  public static SearchConfig scoreFusion(
      double scoreWeight, ScoreNormalization normalization, int candidates) {
    return DEFAULT.withCandidates(candidates).withScoreFusion(scoreWeight, normalization);
  }

  /** This configuration with another fusion method (its settings unchanged). */
  public SearchConfig withFusion(Fusion newFusion) {
    return new SearchConfig(
        rrfK, candidates, lexicalWeight, vectorWeight, newFusion, scoreWeight, normalization);
  }

  /** This configuration with another candidate depth. */
  public SearchConfig withCandidates(int newCandidates) {
    return new SearchConfig(
        rrfK, newCandidates, lexicalWeight, vectorWeight, fusion, scoreWeight, normalization);
  }

  /** This configuration fusing by reciprocal rank with the given constant and weights. */
  public SearchConfig withRrf(int newRrfK, double newLexicalWeight, double newVectorWeight) {
    return new SearchConfig(
        newRrfK,
        candidates,
        newLexicalWeight,
        newVectorWeight,
        Fusion.RRF,
        scoreWeight,
        normalization);
  }

  /** This configuration fusing by score with the given BM25 share and normalisation. */
  public SearchConfig withScoreFusion(double newScoreWeight, ScoreNormalization newNormalization) {
    return new SearchConfig(
        rrfK,
        candidates,
        lexicalWeight,
        vectorWeight,
        Fusion.SCORE,
        newScoreWeight,
        newNormalization);
  }

  /** Whether hybrid search needs the BM25 list (its weight or share is not 0). */
  public boolean fusesLexical() {
    return fusion == Fusion.RRF ? lexicalWeight > 0 : scoreWeight > 0;
  }

  /** Whether hybrid search needs the vector list (its weight or share is not 0). */
  public boolean fusesVector() {
    return fusion == Fusion.RRF ? vectorWeight > 0 : scoreWeight < 1;
  }
}
