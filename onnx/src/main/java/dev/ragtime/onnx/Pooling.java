package dev.ragtime.onnx;

import java.nio.FloatBuffer;

/**
 * How a model turns the token vectors of its last hidden state into one text vector. Both variants
 * L2-normalise the result, so cosine similarity is the dot product.
 */
public enum Pooling {
  /** Attention-masked mean of the token vectors (sentence-transformers' MiniLM). */
  MEAN {
    @Override
    float[] pool(
        FloatBuffer hidden, int row, int sequenceLength, int tokens, int dimension, float[] s) {
      return MeanPooling.pool(hidden, row, sequenceLength, tokens, dimension, s);
    }
  },
  /** The vector of the first token, [CLS] (BGE). */
  CLS {
    @Override
    float[] pool(
        FloatBuffer hidden, int row, int sequenceLength, int tokens, int dimension, float[] s) {
      float[] vector = new float[dimension];
      hidden.get(row * sequenceLength * dimension, vector, 0, dimension);
      double squares = 0;
      for (float x : vector) {
        squares += (double) x * x;
      }
      MeanPooling.normalise(vector, squares);
      return vector;
    }
  };

  /**
   * Pools one sequence of a {@code [batch, sequenceLength, dimension]} row-major output into a
   * unit-length vector; see {@link MeanPooling#pool} for the parameters.
   */
  abstract float[] pool(
      FloatBuffer hidden, int row, int sequenceLength, int tokens, int dimension, float[] scratch);
}
