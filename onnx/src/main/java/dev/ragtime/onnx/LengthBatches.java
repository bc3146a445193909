package dev.ragtime.onnx;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Groups inputs of similar length so each batch is padded only to its own longest member.
 *
 * <p>Pure: no I/O, no state.
 */
final class LengthBatches {

  private LengthBatches() {}

  /**
   * Splits the indices {@code 0 .. lengths.length - 1} into batches, longest inputs first (so
   * buffers reach their final size on the first batch). A batch holds at most {@code maxRows}
   * inputs and, unless it is a single input, at most {@code maxCells} padded tokens (rows times its
   * longest length): long texts go in smaller batches, where attention's cost per token is lower.
   * Within equal lengths the input order is kept, which makes the plan deterministic.
   *
   * @param lengths length of each input, positive
   * @param maxRows positive
   * @param maxCells positive
   * @return every index exactly once; each batch non-empty and in descending length order
   */
  static List<int[]> plan(int[] lengths, int maxRows, int maxCells) {
    if (maxRows < 1) {
      throw new IllegalArgumentException("maxRows must be positive, was " + maxRows);
    }
    if (maxCells < 1) {
      throw new IllegalArgumentException("maxCells must be positive, was " + maxCells);
    }
    int[] order =
        IntStream.range(0, lengths.length)
            .boxed()
            .sorted(Comparator.comparingInt((Integer i) -> lengths[i]).reversed())
            .mapToInt(Integer::intValue)
            .toArray();
    List<int[]> batches = new ArrayList<>();
    int start = 0;
    while (start < order.length) {
      int longest = Math.max(1, lengths[order[start]]);
      int rows = Math.max(1, Math.min(maxRows, maxCells / longest));
      int end = Math.min(order.length, start + rows);
      int[] batch = new int[end - start];
      System.arraycopy(order, start, batch, 0, batch.length);
      batches.add(batch);
      start = end;
    }
    return batches;
  }
}
