package dev.ragtime.search;

import dev.ragtime.index.Hit;
import java.util.List;
import java.util.Objects;

/**
 * The answer to one {@link SearchRequest}.
 *
 * @param hits best first; at most the requested k
 * @param mode the mode that produced them
 * @param tookMicros wall-clock time of the search, including embedding the query, in microseconds
 */
public record SearchResult(List<Hit> hits, SearchMode mode, long tookMicros) {
  public SearchResult {
    hits = List.copyOf(hits);
    Objects.requireNonNull(mode, "mode");
    if (tookMicros < 0) {
      throw new IllegalArgumentException("tookMicros must be >= 0, was " + tookMicros);
    }
  }
}
