package dev.ragtime.eval;

import dev.ragtime.index.Hit;
import dev.ragtime.search.DocumentHit;
import dev.ragtime.search.ReciprocalRankFusion;
import dev.ragtime.search.SearchConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Small pure helpers for document rankings. */
final class DocumentLists {
  private DocumentLists() {}

  /** Document ids of chunk hits in order, each document once (at its best chunk). */
  static List<String> distinctDocuments(List<Hit> hits) {
    List<String> ids = new ArrayList<>(hits.size());
    Set<String> seen = new HashSet<>();
    for (Hit h : hits) {
      if (seen.add(h.docId())) {
        ids.add(h.docId());
      }
    }
    return ids;
  }

  /** Document ids of document hits in order. */
  static List<String> ids(List<DocumentHit> hits) {
    List<String> ids = new ArrayList<>(hits.size());
    for (DocumentHit h : hits) {
      ids.add(h.docId());
    }
    return ids;
  }

  /**
   * Reciprocal rank fusion of two document rankings as the searcher fuses two ranked lists of
   * one-chunk documents: each list cut at {@code max(topN, config.candidates())}, a list of weight
   * 0 left out, the config's constant and weights, the best {@code topN} kept.
   */
  static List<String> fuse(
      List<String> lexical, List<String> vector, SearchConfig config, int topN) {
    int depth = Math.max(topN, config.candidates());
    List<List<String>> lists = new ArrayList<>(2);
    List<Double> weights = new ArrayList<>(2);
    if (config.lexicalWeight() > 0) {
      lists.add(head(lexical, depth));
      weights.add(config.lexicalWeight());
    }
    if (config.vectorWeight() > 0) {
      lists.add(head(vector, depth));
      weights.add(config.vectorWeight());
    }
    return ReciprocalRankFusion.fuse(
        lists, weights, config.rrfK(), topN, id -> id, (id, score) -> id);
  }

  private static List<String> head(List<String> list, int n) {
    return list.size() <= n ? list : list.subList(0, n);
  }
}
