package dev.ragtime.search;

import java.util.Locale;

/** How hybrid search merges its BM25 and vector candidate lists. */
public enum Fusion {
  /**
   * Reciprocal rank fusion ({@link ReciprocalRankFusion}): by rank alone, with {@link
   * SearchConfig#rrfK()}, {@link SearchConfig#lexicalWeight()} and {@link
   * SearchConfig#vectorWeight()}.
   */
  RRF,
  /**
   * A convex combination of normalised scores ({@link ScoreFusion}): {@link
   * SearchConfig#scoreWeight()} is BM25's share, the vector list gets the rest.
   */
  SCORE;

  /** Parses {@code rrf} or {@code score}, case-insensitively. */
  public static Fusion parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown fusion '" + s + "'; expected one of rrf, score", e);
    }
  }

  /** Lower-case name as used in configuration and JSON. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
