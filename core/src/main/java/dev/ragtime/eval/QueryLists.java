package dev.ragtime.eval;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One query's separate document rankings and its judgments: the raw material of fusion tuning,
 * which re-fuses the same lists under many settings without searching again.
 *
 * @param queryId the query
 * @param lexical documents by BM25 (best chunk), best first
 * @param vector documents by vector similarity (best chunk), best first
 * @param judgments document id to relevance grade
 */
public record QueryLists(
    String queryId, List<String> lexical, List<String> vector, Map<String, Integer> judgments) {
  public QueryLists {
    Objects.requireNonNull(queryId, "queryId");
    lexical = List.copyOf(lexical);
    vector = List.copyOf(vector);
    judgments = Map.copyOf(judgments);
  }
}
