package dev.ragtime.search;

import dev.ragtime.index.Hit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Reciprocal rank fusion (Cormack, Clarke and Büttcher, 2009): merges ranked lists by rank alone,
 * so lists whose scores live on different scales (BM25, cosine) combine without normalisation.
 *
 * <p>An item (identified by a string id, such as a chunk id) at 1-based rank {@code r} of list
 * {@code i} contributes {@code weights[i] / (k + r)}; its fused score is the sum over the lists
 * that contain it. An item repeated within one list counts only at its first (best) rank there.
 * Ties in fused score are broken by the best rank the item reached in any list, then by id, so the
 * result depends only on the input. The fused item is the item's first occurrence (in list order)
 * with its score replaced by the fused score.
 *
 * <p>Pure and stateless.
 */
public final class ReciprocalRankFusion {
  private ReciprocalRankFusion() {}

  /**
   * Fuses ranked hit lists, identifying hits by chunk id.
   *
   * @param lists ranked hit lists, best first
   * @param weights one non-negative, finite weight per list
   * @param k the rank constant, {@code >= 0}
   * @param topN how many fused hits to return, positive
   * @return at most {@code topN} hits by descending fused score
   * @throws IllegalArgumentException on mismatched sizes or out-of-range values, naming them
   */
  public static List<Hit> fuse(List<List<Hit>> lists, List<Double> weights, int k, int topN) {
    return fuse(lists, weights, k, topN, Hit::chunkId, Hit::withScore);
  }

  /**
   * Fuses ranked lists of any kind of item.
   *
   * @param lists ranked lists, best first
   * @param weights one non-negative, finite weight per list
   * @param k the rank constant, {@code >= 0}
   * @param topN how many fused items to return, positive
   * @param id identifies an item across lists, and breaks the last ties
   * @param rescore returns an item like the given one with the given fused score
   * @return at most {@code topN} items by descending fused score
   * @throws IllegalArgumentException on mismatched sizes or out-of-range values, naming them
   */
  public static <T> List<T> fuse(
      List<? extends List<? extends T>> lists,
      List<Double> weights,
      int k,
      int topN,
      Function<? super T, String> id,
      BiFunction<? super T, Float, ? extends T> rescore) {
    Objects.requireNonNull(lists, "lists");
    Objects.requireNonNull(weights, "weights");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(rescore, "rescore");
    if (lists.size() != weights.size()) {
      throw new IllegalArgumentException(
          "need one weight per list, got " + weights.size() + " for " + lists.size() + " lists");
    }
    if (k < 0) {
      throw new IllegalArgumentException("k must be >= 0, was " + k);
    }
    if (topN < 1) {
      throw new IllegalArgumentException("topN must be positive, was " + topN);
    }
    for (Double w : weights) {
      if (w == null || !(w >= 0) || w.isInfinite()) {
        throw new IllegalArgumentException("weights must be finite and >= 0, were " + weights);
      }
    }

    Map<String, Fused<T>> byId = new HashMap<>();
    for (int i = 0; i < lists.size(); i++) {
      List<? extends T> list = lists.get(i);
      double weight = weights.get(i);
      Set<String> seenInList = new HashSet<>();
      int rank = 0;
      for (T item : list) {
        rank++;
        String key = id.apply(item);
        if (!seenInList.add(key)) {
          continue;
        }
        Fused<T> f = byId.computeIfAbsent(key, x -> new Fused<>(x, item));
        f.score += weight / (k + rank);
        f.bestRank = Math.min(f.bestRank, rank);
      }
    }

    List<Fused<T>> all = new ArrayList<>(byId.values());
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

  private static final class Fused<T> {
    final String id;
    final T item;
    double score;
    int bestRank = Integer.MAX_VALUE;

    Fused(String id, T item) {
      this.id = id;
      this.item = item;
    }
  }
}
