package dev.ragtime.onnx;

import java.nio.FloatBuffer;

/**
 * sentence-transformers' pooling for all-MiniLM-L6-v2: the mean of the token vectors the attention
 * mask keeps, then L2 normalisation.
 *
 * <p>Pure: reads the model's output, allocates only the result.
 */
final class MeanPooling {

  private MeanPooling() {}

  /**
   * Pools one sequence of a {@code [batch, sequenceLength, dimension]} row-major output.
   *
   * <p>Inputs are right-padded, so the attention mask of row {@code row} is 1 for exactly the first
   * {@code tokens} positions: those are averaged, padding is never read.
   *
   * @param hidden the model's last hidden state, indexed from 0 (position and limit ignored)
   * @param row which sequence of the batch
   * @param sequenceLength padded length of every sequence in the batch
   * @param tokens unpadded length of this sequence, in [1, sequenceLength]
   * @param dimension vector length
   * @param scratch a work array of at least {@code dimension} floats; overwritten
   * @return the unit-length mean vector; all zeros only if every token vector is zero
   */
  static float[] pool(
      FloatBuffer hidden, int row, int sequenceLength, int tokens, int dimension, float[] scratch) {
    assert tokens >= 1 && tokens <= sequenceLength
        : "tokens " + tokens + " outside [1, " + sequenceLength + "]";
    float[] sum = new float[dimension];
    int offset = row * sequenceLength * dimension;
    for (int t = 0; t < tokens; t++) {
      hidden.get(offset + t * dimension, scratch, 0, dimension);
      for (int d = 0; d < dimension; d++) {
        sum[d] += scratch[d];
      }
    }
    // Dividing by the token count before normalising does not change the direction; keep it so
    // the intermediate matches sentence-transformers' mean exactly.
    float inverseCount = 1.0f / tokens;
    double squares = 0;
    for (int d = 0; d < dimension; d++) {
      sum[d] *= inverseCount;
      squares += (double) sum[d] * sum[d];
    }
    normalise(sum, squares);
    return sum;
  }

  static void normalise(float[] vector, double squares) {
    if (squares == 0) {
      return;
    }
    float inverseNorm = (float) (1.0 / Math.sqrt(squares));
    for (int d = 0; d < vector.length; d++) {
      vector[d] *= inverseNorm;
    }
  }
}
