package dev.ragtime.search;

import dev.ragtime.index.Candidate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Score fusion: a convex combination of normalised BM25 and vector scores. Unlike {@link
 * ReciprocalRankFusion} it keeps how far apart the candidates of a list are, not just their order,
 * so a document far ahead in one list is not pulled level with one that merely ranks well in both.
 *
 * <p>Each list is normalised on its own, over its candidates, as {@link ScoreNormalization} says; a
 * candidate missing from a list gets that list's lowest normalised score, as if it had just made
 * the list (0 under {@link ScoreNormalization#MIN_MAX}). The exception is a BM25 list shorter than
 * the depth it was asked for: it holds every document that matches a query term, so a candidate
 * missing from it matches none and gets 0. Without that rule a query whose terms match one document
 * only (an identifier, a rare name) would give every other document the same BM25 share as the
 * match. An item's fused score is {@code lexicalShare * lexical + (1 - lexicalShare) * vector}.
 * Every item of either list takes part; an empty list gives every item 0, so the other list alone
 * decides. An item repeated within one list counts only at its first occurrence there (lists are
 * best first). Ties in fused score are broken by the best rank the item reached in either list,
 * then by id, so the result depends only on the input. The fused item is the item's first
 * occurrence (lexical list first) with its score replaced by the fused score.
 *
 * <p>Pure and stateless.
 */
public final class ScoreFusion {
  private ScoreFusion() {}

  /**
   * Fuses a BM25 and a vector candidate list, identifying candidates by chunk id.
   *
   * @see #fuse(List, List, double, ScoreNormalization, int, int, Function, ToDoubleFunction,
   *     BiFunction)
   */
  public static List<Candidate> fuse(
      List<Candidate> lexical,
      List<Candidate> vector,
      double lexicalShare,
      ScoreNormalization normalization,
      int topN,
      int depth) {
    return fuse(
        lexical,
        vector,
        lexicalShare,
        normalization,
        topN,
        depth,
        Candidate::chunkId,
        Candidate::score,
        Candidate::withScore);
  }

  /**
   * Fuses a BM25 and a vector list of any kind of item.
   *
   * @param lexical items by descending BM25 score
   * @param vector items by descending cosine similarity
   * @param lexicalShare BM25's share of the fused score, in [0, 1]
   * @param normalization how each list's scores are put on a common scale
   * @param topN how many fused items to return, positive
   * @param depth how many entries each list was asked for, positive: a BM25 list shorter than this
   *     holds every match, so an item missing from it scores 0 there
   * @param id identifies an item across lists, and breaks the last ties
   * @param score an item's score in its list; finite
   * @param rescore returns an item like the given one with the given fused score
   * @return at most {@code topN} items by descending fused score
   * @throws IllegalArgumentException on out-of-range arguments or a score that is not finite,
   *     naming them
   */
  public static <T> List<T> fuse(
      List<? extends T> lexical,
      List<? extends T> vector,
      double lexicalShare,
      ScoreNormalization normalization,
      int topN,
      int depth,
      Function<? super T, String> id,
      ToDoubleFunction<? super T> score,
      BiFunction<? super T, Float, ? extends T> rescore) {
    Objects.requireNonNull(lexical, "lexical");
    Objects.requireNonNull(vector, "vector");
    Objects.requireNonNull(normalization, "normalization");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(score, "score");
    Objects.requireNonNull(rescore, "rescore");
    if (!(lexicalShare >= 0 && lexicalShare <= 1)) {
      throw new IllegalArgumentException("lexicalShare must be in [0, 1], was " + lexicalShare);
    }
    if (topN < 1) {
      throw new IllegalArgumentException("topN must be positive, was " + topN);
    }
    if (depth < 1) {
      throw new IllegalArgumentException("depth must be positive, was " + depth);
    }

    Map<String, Fused<T>> byId = new HashMap<>();
    double lexicalMissing = add(byId, lexical, 0, id, score, normalization, true);
    if (lexical.size() < depth) {
      lexicalMissing = 0; // every BM25 match is in the list: a missing item matches no term
    }
    double vectorMissing = add(byId, vector, 1, id, score, normalization, false);
    double vectorShare = 1 - lexicalShare;
    List<Fused<T>> all = new ArrayList<>(byId.values());
    for (Fused<T> f : all) {
      double l = Double.isNaN(f.normalised[0]) ? lexicalMissing : f.normalised[0];
      double v = Double.isNaN(f.normalised[1]) ? vectorMissing : f.normalised[1];
      f.score = lexicalShare * l + vectorShare * v;
    }
    all.sort(
        Comparator.comparingDouble((Fused<T> f) -> -f.score)
            .thenComparingInt(f -> f.bestRank)
            .thenComparing(f -> f.id));
    List<T> out = new ArrayList<>(Math.min(topN, all.size()));
    for (Fused<T> f : all.subList(0, Math.min(topN, all.size()))) {
      out.add(rescore.apply(f.item, (float) f.score));
    }
    return List.copyOf(out);
  }

  /**
   * Adds the distinct items of one list to {@code byId} with their normalised scores in {@code
   * slot}, and returns what the list gives an item that is not in it.
   */
  private static <T> double add(
      Map<String, Fused<T>> byId,
      List<? extends T> list,
      int slot,
      Function<? super T, String> id,
      ToDoubleFunction<? super T> score,
      ScoreNormalization normalization,
      boolean lexical) {
    List<Fused<T>> members = new ArrayList<>(list.size());
    List<Double> raw = new ArrayList<>(list.size());
    int rank = 0;
    for (T item : list) {
      rank++;
      String key = id.apply(item);
      double s = score.applyAsDouble(item);
      if (!Double.isFinite(s)) {
        throw new IllegalArgumentException("score of '" + key + "' is not finite: " + s);
      }
      Fused<T> f = byId.computeIfAbsent(key, x -> new Fused<>(x, item));
      if (!Double.isNaN(f.normalised[slot])) {
        continue; // repeated within this list: its first occurrence counts
      }
      f.normalised[slot] = s; // replaced by the normalised value below
      f.bestRank = Math.min(f.bestRank, rank);
      members.add(f);
      raw.add(s);
    }
    if (members.isEmpty()) {
      return 0;
    }
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double s : raw) {
      min = Math.min(min, s);
      max = Math.max(max, s);
    }
    for (int i = 0; i < members.size(); i++) {
      members.get(i).normalised[slot] = normalise(normalization, lexical, raw.get(i), min, max);
    }
    // Missing from the list: the list's lowest normalised score, as if the item had just made it.
    return switch (normalization) {
      case MAX -> normalise(normalization, lexical, min, min, max);
      case MIN_MAX -> 0;
    };
  }

  /** One score of a list whose lowest and highest scores are {@code min} and {@code max}. */
  private static double normalise(
      ScoreNormalization normalization, boolean lexical, double s, double min, double max) {
    return switch (normalization) {
      case MAX -> lexical ? (max > 0 ? s / max : 1) : s;
      case MIN_MAX -> max == min ? 1 : (s - min) / (max - min);
    };
  }

  private static final class Fused<T> {
    final String id;
    final T item;

    /** Per list (lexical, vector): the normalised score, NaN while the item is not in the list. */
    final double[] normalised = {Double.NaN, Double.NaN};

    int bestRank = Integer.MAX_VALUE;
    double score;

    Fused(String id, T item) {
      this.id = id;
      this.item = item;
    }
  }
}
