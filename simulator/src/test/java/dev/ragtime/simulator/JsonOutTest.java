package dev.ragtime.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class JsonOutTest {

  private static String format(float v) {
    return new String(new JsonOut(16).number(v).toByteArray(), StandardCharsets.US_ASCII);
  }

  @Test
  void everyFloatParsesBackExactlyAsFloatAndAsNarrowedDouble() {
    long seed = 20_240_611L;
    SplittableRandom random = new SplittableRandom(seed);
    StringBuilder failures = new StringBuilder();
    for (int i = 0; i < 400_000; i++) {
      // uniform bit patterns in [-1, 1] cover every binade, uniform values the common case
      float v =
          (i & 1) == 0
              ? (float) (random.nextDouble() * 2 - 1)
              : Float.intBitsToFloat(random.nextInt(0, Float.floatToIntBits(1f) + 1))
                  * (random.nextBoolean() ? 1 : -1);
      String text = format(v);
      if (Float.parseFloat(text) != v || (float) Double.parseDouble(text) != v) {
        failures.append(v).append(" as ").append(text).append('\n');
      }
    }
    assertThat(failures).as("seed %d", seed).isEmpty();
  }

  @Test
  void edgeValuesRoundTrip() {
    float[] edges = {
      0f,
      -0f,
      1f,
      -1f,
      0.01f,
      -0.01f,
      Math.nextDown(0.01f),
      Math.nextUp(0.01f),
      0.015625f,
      Math.nextDown(0.015625f),
      Math.nextDown(1f),
      0.5f,
      0.1f,
      1e-7f,
      Float.MIN_VALUE
    };
    for (float v : edges) {
      assertThat(Float.parseFloat(format(v))).as("%s as %s", v, format(v)).isEqualTo(v);
    }
    assertThat(format(0.5f)).isEqualTo("0.5");
    assertThat(format(-0.25f)).isEqualTo("-0.25");
    assertThat(format(0.1f)).isEqualTo("0.1000000015");
    assertThat(format(1f)).isEqualTo("1.0");
  }

  @Test
  void stringsAreEscapedSoJacksonReadsThemBack() throws Exception {
    String nasty = "quote\" backslash\\ newline\n tab\t bell\u0007 unicode é 🚀 end";
    byte[] json = new JsonOut(8).raw("{\"s\":").string(nasty).raw('}').toByteArray();
    assertThat(new ObjectMapper().readTree(json).get("s").asText()).isEqualTo(nasty);
  }

  @Test
  void vectorsAreValidJsonArrays() throws Exception {
    float[] v = ProviderSimulator.expectedVector("m", "array", 50);
    byte[] json = new JsonOut(8).vector(v).toByteArray();
    assertThat(TestHttp.floats(new ObjectMapper().readTree(json))).containsExactly(v);
  }
}
