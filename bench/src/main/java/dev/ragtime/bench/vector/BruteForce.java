package dev.ragtime.bench.vector;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.lucene.util.VectorUtil;

/**
 * Exact nearest neighbours by dot product (cosine on unit vectors): the ground truth recall is
 * measured against. Uses Lucene's {@link VectorUtil#dotProduct}, which runs on the Panama vector
 * API when {@code jdk.incubator.vector} is present.
 */
final class BruteForce {
  private BruteForce() {}

  /**
   * The indices of the {@code k} vectors most similar to each query, best first; ties go to the
   * lower index.
   *
   * @param executor runs one task per slice of queries
   * @param parallelism number of slices
   */
  static int[][] topK(
      float[][] base, float[][] queries, int k, Executor executor, int parallelism) {
    int[][] out = new int[queries.length][];
    List<CompletableFuture<Void>> tasks = new ArrayList<>();
    int slice = (queries.length + parallelism - 1) / parallelism;
    for (int from = 0; from < queries.length; from += slice) {
      int start = from;
      int end = Math.min(queries.length, from + slice);
      tasks.add(
          CompletableFuture.runAsync(
              () -> {
                for (int q = start; q < end; q++) {
                  out[q] = topK(base, queries[q], k);
                }
              },
              executor));
    }
    CompletableFuture.allOf(tasks.toArray(CompletableFuture[]::new)).join();
    return out;
  }

  static int[] topK(float[][] base, float[] query, int k) {
    // A small sorted array beats a heap for k = 10.
    int[] ids = new int[k];
    float[] scores = new float[k];
    java.util.Arrays.fill(scores, Float.NEGATIVE_INFINITY);
    java.util.Arrays.fill(ids, -1);
    for (int i = 0; i < base.length; i++) {
      float s = VectorUtil.dotProduct(base[i], query);
      if (s > scores[k - 1]) {
        int pos = k - 1;
        while (pos > 0 && s > scores[pos - 1]) {
          scores[pos] = scores[pos - 1];
          ids[pos] = ids[pos - 1];
          pos--;
        }
        scores[pos] = s;
        ids[pos] = i;
      }
    }
    return ids;
  }

  /** |found ∩ truth| / |truth|. */
  static double recall(int[] truth, int[] found) {
    int hits = 0;
    for (int t : truth) {
      for (int f : found) {
        if (f == t) {
          hits++;
          break;
        }
      }
    }
    return hits / (double) truth.length;
  }
}
