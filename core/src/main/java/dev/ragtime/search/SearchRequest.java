package dev.ragtime.search;

import java.util.Map;
import java.util.Objects;

/**
 * One query.
 *
 * @param query the query text, not blank
 * @param k number of hits wanted, in [1, 1000]
 * @param mode how to match
 * @param filters exact-match metadata filters (all must hold); empty for none
 */
public record SearchRequest(String query, int k, SearchMode mode, Map<String, String> filters) {
  public static final int DEFAULT_K = 10;
  public static final int MAX_K = 1000;

  public SearchRequest {
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(mode, "mode");
    if (query.isBlank()) {
      throw new IllegalArgumentException("query must not be blank");
    }
    if (k < 1 || k > MAX_K) {
      throw new IllegalArgumentException("k must be in [1, " + MAX_K + "], was " + k);
    }
    filters = Map.copyOf(filters);
  }

  public static SearchRequest of(String query) {
    return new SearchRequest(query, DEFAULT_K, SearchMode.HYBRID, Map.of());
  }
}
