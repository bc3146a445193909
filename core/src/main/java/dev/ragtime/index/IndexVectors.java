package dev.ragtime.index;

import dev.ragtime.embed.ModelInfo;

/**
 * The check every {@link Index} implementation applies to a vector it stores or is queried with:
 * the index's dimension and unit length (so the dot product is the cosine similarity). Pure.
 */
public final class IndexVectors {
  /** Largest tolerated {@code |‖v‖² − 1|} of a vector that should be unit length. */
  public static final double UNIT_TOLERANCE = 1e-2;

  private IndexVectors() {}

  /**
   * Checks that {@code vector} has the model's dimension and unit length.
   *
   * @param what names the vector in the error message
   * @throws IllegalArgumentException naming {@code what} and the bad dimension or norm
   */
  public static void check(String what, float[] vector, ModelInfo model) {
    if (vector.length != model.dimension()) {
      throw new IllegalArgumentException(
          what
              + " has a vector of dimension "
              + vector.length
              + " but the index holds "
              + model
              + " vectors");
    }
    double squaredNorm = 0;
    for (float x : vector) {
      squaredNorm += (double) x * x;
    }
    if (!(Math.abs(squaredNorm - 1) <= UNIT_TOLERANCE)) {
      throw new IllegalArgumentException(
          what + " has a vector that is not L2-normalised: its norm is " + Math.sqrt(squaredNorm));
    }
  }
}
