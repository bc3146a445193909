package dev.ragtime.bench.vector;

import java.util.SplittableRandom;

/**
 * Clustered synthetic vectors beyond the real ones: each is a real "parent" vector, chosen
 * uniformly, plus isotropic Gaussian noise, normalised. The noise is set by the expected cosine
 * between a child and its parent, so the data keeps the real vectors' topology (topics, density)
 * while each real point becomes a small cluster.
 *
 * <p>Pure given the seed.
 */
final class SyntheticVectors {
  private SyntheticVectors() {}

  /**
   * The per-coordinate standard deviation that gives children an expected cosine of {@code cosine}
   * to their unit-length parent in {@code dimension} dimensions: cos ≈ 1 / √(1 + dσ²).
   */
  static double sigmaFor(double cosine, int dimension) {
    if (!(cosine > 0 && cosine < 1)) {
      throw new IllegalArgumentException("cosine must be in (0, 1), was " + cosine);
    }
    return Math.sqrt((1 / (cosine * cosine) - 1) / dimension);
  }

  /**
   * Extends {@code real} to {@code total} vectors: the real ones first, then children.
   *
   * @param parents receives, for every vector, the index of its real parent (itself for a real one)
   */
  static float[][] extend(float[][] real, int total, double sigma, long seed, int[] parents) {
    if (total < real.length || parents.length != total) {
      throw new IllegalArgumentException("total must be >= real count, parents of length total");
    }
    SplittableRandom random = new SplittableRandom(seed);
    float[][] out = new float[total][];
    for (int i = 0; i < real.length; i++) {
      out[i] = real[i];
      parents[i] = i;
    }
    int dimension = real[0].length;
    for (int i = real.length; i < total; i++) {
      int parent = random.nextInt(real.length);
      float[] v = new float[dimension];
      double norm = 0;
      for (int d = 0; d < dimension; d++) {
        v[d] = (float) (real[parent][d] + sigma * gaussian(random));
        norm += (double) v[d] * v[d];
      }
      float inverse = (float) (1 / Math.sqrt(norm));
      for (int d = 0; d < dimension; d++) {
        v[d] *= inverse;
      }
      out[i] = v;
      parents[i] = parent;
    }
    return out;
  }

  /** A standard normal deviate (Box–Muller; SplittableRandom has no nextGaussian on Java 21). */
  private static double gaussian(SplittableRandom random) {
    double u1 = 1 - random.nextDouble(); // (0, 1]
    double u2 = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}
