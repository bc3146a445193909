package dev.ragtime.search;

import java.util.Locale;

/**
 * How {@link ScoreFusion} puts the BM25 and the vector scores of one query on a common scale. Each
 * list is normalised on its own, over the candidates it contributes (its first {@code max(k,
 * candidates)} entries), and a candidate missing from a list gets a fixed value for that list.
 */
public enum ScoreNormalization {
  /**
   * BM25 divided by the list's highest BM25 score (the best match gets 1), cosine similarity as it
   * is; a candidate missing from a list gets the list's lowest value (lowest BM25 / highest, lowest
   * cosine), as if it had just made the list, unless the BM25 list is shorter than the depth it was
   * asked for (it then holds every match, and a missing candidate gets 0). Measured best on
   * SciFact's train split with all-MiniLM-L6-v2, whose similarities spread over roughly 0.1 to 0.8
   * (docs/BENCHMARKS.md); with a model whose similarities crowd into a narrow band the vector list
   * has less say at the same share, so re-tune the share or use {@link #MIN_MAX}.
   */
  MAX,
  /**
   * {@code (s - min) / (max - min)} over each list: the list's best candidate gets 1, its worst 0,
   * and so does a candidate missing from the list. When every candidate of a list has the same
   * score (one candidate, say), they all get 1 and a missing one still 0. Scale-free, so the same
   * for any embedding model's similarity range.
   */
  MIN_MAX;

  /** Parses {@code max} or {@code min-max}, case-insensitively. */
  public static ScoreNormalization parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown score normalization '" + s + "'; expected one of max, min-max", e);
    }
  }

  /** Lower-case name with hyphens, as used in configuration. */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
