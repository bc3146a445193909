package dev.ragtime.bench.service;

import dev.ragtime.bench.measure.Samples;
import java.util.Arrays;

/**
 * What a closed-loop load run measured: for every call that completed, when it ended and how long
 * it took (nanoseconds of one monotonic clock), plus the calls that failed. Windows of it give
 * throughput and latency percentiles. Pure and immutable.
 */
record Recording(long[] endNanos, long[] latencyNanos, long failed) {

  Recording {
    if (endNanos.length != latencyNanos.length) {
      throw new IllegalArgumentException(
          "one end per latency, were " + endNanos.length + " and " + latencyNanos.length);
    }
    endNanos = endNanos.clone();
    latencyNanos = latencyNanos.clone();
  }

  /**
   * Throughput and latency of the calls that ended in [{@code fromNanos}, {@code toNanos}).
   *
   * @throws IllegalArgumentException if the window is empty or backwards
   */
  Window window(long fromNanos, long toNanos) {
    if (toNanos <= fromNanos) {
      throw new IllegalArgumentException("window must end after it starts");
    }
    double[] ms =
        java.util.stream.IntStream.range(0, endNanos.length)
            .filter(i -> endNanos[i] >= fromNanos && endNanos[i] < toNanos)
            .mapToDouble(i -> latencyNanos[i] / 1e6)
            .toArray();
    double seconds = (toNanos - fromNanos) / 1e9;
    if (ms.length == 0) {
      return new Window(0, seconds, Double.NaN, Double.NaN, Double.NaN);
    }
    return new Window(
        ms.length,
        seconds,
        Samples.percentile(ms, 50),
        Samples.percentile(ms, 99),
        Arrays.stream(ms).max().orElseThrow());
  }

  /**
   * Calls completed in a window, and their latencies (nearest-rank percentiles, NaN when none).
   *
   * @param completed calls that ended in the window
   * @param seconds the window's length
   */
  record Window(long completed, double seconds, double p50Ms, double p99Ms, double maxMs) {
    double perSecond() {
      return completed / seconds;
    }
  }
}
