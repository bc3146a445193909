package dev.ragtime.search;

import dev.ragtime.index.Hit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reciprocal rank fusion (Cormack, Clarke and Büttcher, 2009): merges ranked lists by rank alone,
 * so lists whose scores live on different scales (BM25, cosine) combine without normalisation.
 *
 * <p>A hit (identified by its chunk id) at 1-based rank {@code r} of list {@code i} contributes
 * {@code weights[i] / (k + r)}; its fused score is the sum over the lists that contain it. A chunk
 * repeated within one list counts only at its first (best) rank there. Ties in fused score are
 * broken by the best rank the hit reached in any list, then by chunk id, so the result depends only
 * on the input. The fused hit is the chunk's first occurrence (in list order) with its score
 * replaced by the fused score.
 *
 * <p>Pure and stateless.
 */
public final class ReciprocalRankFusion {
  private ReciprocalRankFusion() {}

  /**
   * Fuses ranked lists.
   *
   * @param lists ranked hit lists, best first
   * @param weights one non-negative, finite weight per list
   * @param k the rank constant, {@code >= 0}
   * @param topN how many fused hits to return, positive
   * @return at most {@code topN} hits by descending fused score
   * @throws IllegalArgumentException on mismatched sizes or out-of-range values, naming them
   */
  public static List<Hit> fuse(List<List<Hit>> lists, List<Double> weights, int k, int topN) {
    Objects.requireNonNull(lists, "lists");
    Objects.requireNonNull(weights, "weights");
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

    Map<String, Fused> byChunk = new HashMap<>();
    for (int i = 0; i < lists.size(); i++) {
      List<Hit> list = lists.get(i);
      double weight = weights.get(i);
      Map<String, Boolean> seenInList = new HashMap<>();
      int rank = 0;
      for (Hit hit : list) {
        rank++;
        if (seenInList.putIfAbsent(hit.chunkId(), Boolean.TRUE) != null) {
          continue;
        }
        Fused f = byChunk.computeIfAbsent(hit.chunkId(), id -> new Fused(hit));
        f.score += weight / (k + rank);
        f.bestRank = Math.min(f.bestRank, rank);
      }
    }

    List<Fused> all = new ArrayList<>(byChunk.values());
    all.sort(
        Comparator.comparingDouble((Fused f) -> -f.score)
            .thenComparingInt(f -> f.bestRank)
            .thenComparing(f -> f.hit.chunkId()));
    List<Hit> out = new ArrayList<>(Math.min(topN, all.size()));
    for (Fused f : all.subList(0, Math.min(topN, all.size()))) {
      out.add(f.hit.withScore((float) f.score));
    }
    return List.copyOf(out);
  }

  private static final class Fused {
    final Hit hit;
    double score;
    int bestRank = Integer.MAX_VALUE;

    Fused(Hit hit) {
      this.hit = hit;
    }
  }
}
