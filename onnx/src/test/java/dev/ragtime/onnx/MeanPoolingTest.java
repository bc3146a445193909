package dev.ragtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

class MeanPoolingTest {

  private static final int DIMENSION = 3;

  /** Two sequences padded to length 3: row 0 has 2 real tokens, row 1 has 3. */
  private static FloatBuffer batch() {
    return FloatBuffer.wrap(
        new float[] {
          // row 0
          1, 0, 0, //
          3, 4, 0, //
          1000, 1000, 1000, // padding
          // row 1
          0, 0, 2, //
          0, 0, 4, //
          0, 0, 6
        });
  }

  @Test
  void averagesOnlyTheUnpaddedTokensThenNormalises() {
    float[] vector = MeanPooling.pool(batch(), 0, 3, 2, DIMENSION, new float[DIMENSION]);

    // mean (2, 2, 0) -> unit (0.7071, 0.7071, 0)
    assertThat(vector[0]).isCloseTo(0.70710677f, within(1e-6f));
    assertThat(vector[1]).isCloseTo(0.70710677f, within(1e-6f));
    assertThat(vector[2]).isZero();
  }

  @Test
  void readsTheRequestedRowOfTheBatch() {
    float[] vector = MeanPooling.pool(batch(), 1, 3, 3, DIMENSION, new float[DIMENSION]);

    assertThat(vector).containsExactly(0, 0, 1);
  }

  @Test
  void anAllZeroMeanStaysZeroInsteadOfBecomingNaN() {
    FloatBuffer zeros = FloatBuffer.wrap(new float[6]);

    assertThat(MeanPooling.pool(zeros, 0, 2, 2, DIMENSION, new float[DIMENSION]))
        .containsExactly(0, 0, 0);
  }
}
