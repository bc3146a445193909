package dev.ragtime.bench.measure;

import java.util.Arrays;
import java.util.Collection;

/**
 * Order statistics of measured values. Percentiles use the nearest-rank definition (the smallest
 * value with at least p% of the samples at or below it), so every reported number is one that was
 * measured; the median of an even count is the mean of the two middle values.
 *
 * <p>Pure and stateless.
 */
public final class Samples {
  private Samples() {}

  /**
   * The nearest-rank percentile.
   *
   * @param values measured values, not empty (not modified)
   * @param p in (0, 100]
   */
  public static double percentile(double[] values, double p) {
    if (values.length == 0) {
      throw new IllegalArgumentException("no values");
    }
    if (!(p > 0 && p <= 100)) {
      throw new IllegalArgumentException("p must be in (0, 100], was " + p);
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100 * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  /** The median; for an even count, the mean of the two middle values. */
  public static double median(double[] values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("no values");
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** The median of boxed values. */
  public static double median(Collection<Double> values) {
    return median(values.stream().mapToDouble(Double::doubleValue).toArray());
  }

  public static double min(double[] values) {
    return Arrays.stream(values).min().orElseThrow();
  }

  public static double max(double[] values) {
    return Arrays.stream(values).max().orElseThrow();
  }
}
