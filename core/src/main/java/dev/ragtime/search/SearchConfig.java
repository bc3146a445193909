package dev.ragtime.search;

/**
 * Tuning of retrieval.
 *
 * @param rrfK reciprocal rank fusion constant: a hit at rank r (1-based) contributes {@code 1 /
 *     (rrfK + r)}; larger values flatten the contribution of top ranks
 * @param candidates how many hits each of BM25 and kNN contributes to fusion (and the kNN beam
 *     width); at least the requested k is always used
 * @param lexicalWeight weight of the BM25 list in fusion
 * @param vectorWeight weight of the vector list in fusion
 */
public record SearchConfig(int rrfK, int candidates, double lexicalWeight, double vectorWeight) {
  public static final int DEFAULT_RRF_K = 60;
  public static final int DEFAULT_CANDIDATES = 100;
  public static final SearchConfig DEFAULT =
      new SearchConfig(DEFAULT_RRF_K, DEFAULT_CANDIDATES, 1.0, 1.0);

  public SearchConfig {
    if (rrfK < 0 || rrfK > 10_000) {
      throw new IllegalArgumentException("rrfK must be in [0, 10000], was " + rrfK);
    }
    if (candidates < 1 || candidates > 10_000) {
      throw new IllegalArgumentException("candidates must be in [1, 10000], was " + candidates);
    }
    if (!(lexicalWeight >= 0) || !(vectorWeight >= 0) || lexicalWeight + vectorWeight == 0) {
      throw new IllegalArgumentException(
          "fusion weights must be >= 0 and not both 0, were lexical="
              + lexicalWeight
              + " vector="
              + vectorWeight);
    }
  }
}
