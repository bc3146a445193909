package dev.ragtime.eval;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Ranking quality measures for one query, as {@code trec_eval} defines them (and as BEIR and MTEB
 * report them through {@code pytrec_eval}). Pure functions.
 *
 * <p>Common rules:
 *
 * <ul>
 *   <li>{@code ranking} is the system's answer, best first, evaluated in the given order. A
 *       document id repeated in it counts only at its first position ({@code trec_eval} would
 *       reject such a run). ({@code trec_eval} also re-sorts a run by score and breaks score ties
 *       by document id; a caller that wants that passes the list so sorted.)
 *   <li>{@code judgments} maps document ids to relevance grades. A document is relevant when its
 *       grade is {@code >= 1}; unjudged documents count as not relevant.
 *   <li>Ranks are 1-based; {@code cutoff} keeps the first {@code cutoff} documents of the ranking.
 *   <li>Every measure is 0 when no document is relevant; callers leave such queries out of
 *       averages, as {@code trec_eval} does.
 * </ul>
 */
public final class RetrievalMetrics {
  private RetrievalMetrics() {}

  /**
   * Normalised discounted cumulative gain at {@code cutoff} ({@code trec_eval}'s {@code ndcg_cut}):
   * the gain of a document is its grade (linear, grades &le; 0 give 0), discounted by {@code
   * log2(rank + 1)}, summed over the first {@code cutoff} ranks; divided by the same sum for the
   * ideal ranking, which orders all relevant judged documents by descending grade.
   */
  public static double ndcg(List<String> ranking, Map<String, Integer> judgments, int cutoff) {
    checkCutoff(cutoff);
    List<Integer> gains = new ArrayList<>();
    for (int grade : judgments.values()) {
      if (grade > 0) {
        gains.add(grade);
      }
    }
    if (gains.isEmpty()) {
      return 0;
    }
    double dcg = 0;
    int rank = 0;
    for (String doc : distinctPrefix(ranking, cutoff)) {
      rank++;
      dcg += Math.max(0, grade(judgments, doc)) / log2(rank + 1);
    }
    gains.sort(Collections.reverseOrder());
    double ideal = 0;
    for (int i = 0; i < Math.min(cutoff, gains.size()); i++) {
      ideal += gains.get(i) / log2(i + 2);
    }
    return dcg / ideal;
  }

  /**
   * Recall at {@code cutoff} ({@code trec_eval}'s {@code recall_<cutoff>}): relevant documents
   * among the first {@code cutoff}, divided by the number of relevant documents.
   */
  public static double recall(List<String> ranking, Map<String, Integer> judgments, int cutoff) {
    checkCutoff(cutoff);
    int relevant = relevantCount(judgments);
    if (relevant == 0) {
      return 0;
    }
    int found = 0;
    for (String doc : distinctPrefix(ranking, cutoff)) {
      if (grade(judgments, doc) >= 1) {
        found++;
      }
    }
    return (double) found / relevant;
  }

  /**
   * Reciprocal rank at {@code cutoff}: {@code 1 / rank} of the first relevant document among the
   * first {@code cutoff}, or 0 if there is none ({@code trec_eval}'s {@code recip_rank} on the
   * ranking cut at {@code cutoff}, as BEIR computes MRR@k).
   */
  public static double reciprocalRank(
      List<String> ranking, Map<String, Integer> judgments, int cutoff) {
    checkCutoff(cutoff);
    int rank = 0;
    for (String doc : distinctPrefix(ranking, cutoff)) {
      rank++;
      if (grade(judgments, doc) >= 1) {
        return 1.0 / rank;
      }
    }
    return 0;
  }

  /**
   * Average precision at {@code cutoff} ({@code trec_eval}'s {@code map_cut_<cutoff>}): the sum,
   * over relevant documents found at ranks {@code r <= cutoff}, of the precision at {@code r},
   * divided by the number of relevant documents (found or not).
   */
  public static double averagePrecision(
      List<String> ranking, Map<String, Integer> judgments, int cutoff) {
    checkCutoff(cutoff);
    int relevant = relevantCount(judgments);
    if (relevant == 0) {
      return 0;
    }
    double sum = 0;
    int found = 0;
    int rank = 0;
    for (String doc : distinctPrefix(ranking, cutoff)) {
      rank++;
      if (grade(judgments, doc) >= 1) {
        found++;
        sum += (double) found / rank;
      }
    }
    return sum / relevant;
  }

  /** Number of documents with grade {@code >= 1}. */
  public static int relevantCount(Map<String, Integer> judgments) {
    int n = 0;
    for (int grade : judgments.values()) {
      if (grade >= 1) {
        n++;
      }
    }
    return n;
  }

  private static int grade(Map<String, Integer> judgments, String doc) {
    Integer g = judgments.get(doc);
    return g == null ? 0 : g;
  }

  /** The first {@code cutoff} distinct ids of the ranking, in order. */
  private static List<String> distinctPrefix(List<String> ranking, int cutoff) {
    Objects.requireNonNull(ranking, "ranking");
    List<String> out = new ArrayList<>(Math.min(cutoff, ranking.size()));
    Set<String> seen = new HashSet<>();
    for (String doc : ranking) {
      if (out.size() == cutoff) {
        break;
      }
      if (seen.add(Objects.requireNonNull(doc, "document id"))) {
        out.add(doc);
      }
    }
    return out;
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  private static void checkCutoff(int cutoff) {
    if (cutoff < 1) {
      throw new IllegalArgumentException("cutoff must be positive, was " + cutoff);
    }
  }
}
