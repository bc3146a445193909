package dev.ragtime.eval;

import dev.ragtime.index.Hit;
import dev.ragtime.search.DocumentHit;
import dev.ragtime.search.ReciprocalRankFusion;
import dev.ragtime.search.SearchConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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

  /**
   * Convex combination of min-max normalised scores: in each list cut at {@code depth} documents, a
   * score {@code s} becomes {@code (s - min) / (max - min)} (1 when all are equal); a document
   * scores {@code (1 - vectorWeight) * lexical + vectorWeight * vector}, 0 for a list it is not in.
   * The best {@code topN} by that score, ties by document id.
   */
  static List<String> convex(
      List<DocumentHit> lexical,
      List<DocumentHit> vector,
      double vectorWeight,
      int depth,
      int topN) {
    Map<String, Double> scores = new HashMap<>();
    addNormalised(scores, head(lexical, depth), 1 - vectorWeight);
    addNormalised(scores, head(vector, depth), vectorWeight);
    List<Map.Entry<String, Double>> all = new ArrayList<>(scores.entrySet());
    all.sort(
        Comparator.comparingDouble((Map.Entry<String, Double> e) -> -e.getValue())
            .thenComparing(Map.Entry::getKey));
    List<String> out = new ArrayList<>(Math.min(topN, all.size()));
    for (Map.Entry<String, Double> e : all.subList(0, Math.min(topN, all.size()))) {
      out.add(e.getKey());
    }
    return out;
  }

  private static void addNormalised(
      Map<String, Double> scores, List<DocumentHit> list, double weight) {
    if (list.isEmpty() || weight == 0) {
      return;
    }
    double max = Double.NEGATIVE_INFINITY;
    double min = Double.POSITIVE_INFINITY;
    for (DocumentHit h : list) {
      max = Math.max(max, h.score());
      min = Math.min(min, h.score());
    }
    for (DocumentHit h : list) {
      double normalised = max == min ? 1 : (h.score() - min) / (max - min);
      scores.merge(h.docId(), weight * normalised, Double::sum);
    }
  }

  private static <T> List<T> head(List<T> list, int n) {
    return list.size() <= n ? list : list.subList(0, n);
  }
}
