package dev.ragtime.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SimulatedEmbeddingsTest {

  private static double norm(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    return Math.sqrt(sum);
  }

  @Test
  void vectorsAreUnitLengthAndDeterministic() {
    float[] a = ProviderSimulator.expectedVector("m", "hello world", 384);
    float[] b = ProviderSimulator.expectedVector("m", "hello world", 384);
    assertThat(a).hasSize(384).containsExactly(b);
    assertThat(norm(a)).isCloseTo(1.0, within(1e-5));
  }

  @Test
  void vectorDependsOnModelAndText() {
    float[] base = ProviderSimulator.expectedVector("m", "text", 16);
    assertThat(ProviderSimulator.expectedVector("m", "text2", 16)).isNotEqualTo(base);
    assertThat(ProviderSimulator.expectedVector("m2", "text", 16)).isNotEqualTo(base);
    // the separator keeps (model, text) pairs apart even when their concatenations match
    assertThat(ProviderSimulator.expectedVector("ab", "c", 16))
        .isNotEqualTo(ProviderSimulator.expectedVector("a", "bc", 16));
  }

  @Test
  void shorterVectorIsTheRenormalisedPrefixOfALongerOne() {
    float[] full = ProviderSimulator.expectedVector("m", "matryoshka", 64);
    float[] shortVector = ProviderSimulator.expectedVector("m", "matryoshka", 8);
    double prefixNorm = 0;
    for (int i = 0; i < 8; i++) {
      prefixNorm += (double) full[i] * full[i];
    }
    prefixNorm = Math.sqrt(prefixNorm);
    for (int i = 0; i < 8; i++) {
      assertThat((double) shortVector[i]).isCloseTo(full[i] / prefixNorm, within(1e-6));
    }
  }

  @Test
  void vectorIsPinnedAcrossVersions() {
    // Other modules' tests and stored fixtures rely on the rule staying fixed.
    assertThat(SimulatedEmbeddings.seed("m", "a")).isEqualTo(SimulatedEmbeddings.seed("m", "a"));
    float[] v = ProviderSimulator.expectedVector("ragtime-sim-embed", "hello", 4);
    assertThat(v).containsExactly(PINNED_HELLO_4);
  }

  // Computed once from the documented rule; a change here breaks every consumer's expectations.
  private static final float[] PINNED_HELLO_4 = pinned();

  private static float[] pinned() {
    // Re-derive independently of SimulatedEmbeddings.vector, straight from the documented rule.
    String model = "ragtime-sim-embed";
    String text = "hello";
    long h = 0xcbf29ce484222325L;
    for (char c : model.toCharArray()) {
      h = (h ^ c) * 0x100000001b3L;
    }
    h = (h ^ 0x10000) * 0x100000001b3L;
    for (char c : text.toCharArray()) {
      h = (h ^ c) * 0x100000001b3L;
    }
    long seed = splitMixFinal(h);
    double[] raw = new double[4];
    double sum = 0;
    for (int i = 0; i < 4; i++) {
      long z = splitMixFinal(seed + (i + 1) * 0x9E3779B97F4A7C15L);
      raw[i] = (z >>> 40) / (double) (1 << 23) - 1.0;
      sum += raw[i] * raw[i];
    }
    float[] out = new float[4];
    for (int i = 0; i < 4; i++) {
      out[i] = (float) (raw[i] / Math.sqrt(sum));
    }
    return out;
  }

  private static long splitMixFinal(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  @Test
  void base64RoundTripsLittleEndianFloats() {
    float[] v = ProviderSimulator.expectedVector("m", "x", 5);
    String encoded = SimulatedEmbeddings.toBase64(v);
    assertThat(ProviderSimulator.decodeBase64Vector(encoded)).containsExactly(v);
    // 1.0f little-endian is 00 00 80 3F
    assertThat(SimulatedEmbeddings.toBase64(new float[] {1f})).isEqualTo("AACAPw==");
  }

  @Test
  void tokensAreCharactersOverFourRoundedUpAndAtLeastOne() {
    assertThat(ProviderSimulator.countTokens("")).isEqualTo(1);
    assertThat(ProviderSimulator.countTokens("a")).isEqualTo(1);
    assertThat(ProviderSimulator.countTokens("abcd")).isEqualTo(1);
    assertThat(ProviderSimulator.countTokens("abcde")).isEqualTo(2);
    assertThat(ProviderSimulator.countTokens("x".repeat(4000))).isEqualTo(1000);
  }

  @Test
  void rejectsNonPositiveDimension() {
    assertThatThrownBy(() -> ProviderSimulator.expectedVector("m", "t", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was 0");
  }
}
