package dev.ragtime.search;

import java.util.Locale;

/** How a query is matched. */
public enum SearchMode {
  /** BM25 over chunk text only. */
  BM25,
  /** Vector kNN only. */
  VECTOR,
  /** The BM25 and vector candidate lists fused ({@link SearchConfig#fusion()}). */
  HYBRID;

  /** Parses {@code bm25}, {@code vector} or {@code hybrid}, case-insensitively. */
  public static SearchMode parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown search mode '" + s + "'; expected one of bm25, vector, hybrid", e);
    }
  }

  /** Lower-case name as used on the command line and in JSON. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
