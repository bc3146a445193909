package dev.ragtime.eval;

import dev.ragtime.search.DocumentHit;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One query's separate document rankings and its judgments: the raw material of fusion tuning,
 * which re-fuses the same lists under many settings without searching again.
 *
 * @param queryId the query
 * @param lexical documents by BM25 (best chunk), best first, with their scores
 * @param vector documents by vector similarity (best chunk), best first, with their scores
 * @param judgments document id to relevance grade
 */
public record QueryLists(
    String queryId,
    List<DocumentHit> lexical,
    List<DocumentHit> vector,
    Map<String, Integer> judgments) {
  public QueryLists {
    Objects.requireNonNull(queryId, "queryId");
    lexical = List.copyOf(lexical);
    vector = List.copyOf(vector);
    judgments = Map.copyOf(judgments);
  }

  /** The document ids of {@link #lexical()}, in order. */
  public List<String> lexicalIds() {
    return DocumentLists.ids(lexical);
  }

  /** The document ids of {@link #vector()}, in order. */
  public List<String> vectorIds() {
    return DocumentLists.ids(vector);
  }
}
