package dev.ragtime.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A model identity's checks, what makes two compatible, and its two string forms. */
class ModelInfoTest {
  @Test
  void theIdMustNotBeBlankAndTheSizesMustBeInRange() {
    assertThatThrownBy(() -> new ModelInfo(" ", 1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("model id must not be blank");
    assertThatThrownBy(() -> new ModelInfo("m", 0, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dimension must be in [1, 16384], was 0");
    assertThatThrownBy(() -> new ModelInfo("m", 16_385, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dimension must be in [1, 16384], was 16385");
    assertThatThrownBy(() -> new ModelInfo("m", 1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxTokens must be positive, was 0");
    assertThat(new ModelInfo("m", 1, 1).dimension()).isEqualTo(1);
    assertThat(new ModelInfo("m", 16_384, 1).dimension()).isEqualTo(16_384);
  }

  @Test
  void compatibleMeansTheSameIdDimensionAndTruncation() {
    var m = new ModelInfo("m", 384, 256);
    assertThat(m.compatibleWith(new ModelInfo("m", 384, 256))).isTrue();
    assertThat(m.compatibleWith(new ModelInfo("n", 384, 256))).isFalse();
    assertThat(m.compatibleWith(new ModelInfo("m", 383, 256))).isFalse();
    assertThat(m.compatibleWith(new ModelInfo("m", 384, 512))).isFalse();
  }

  @Test
  void theFingerprintAndTheDescriptionNameEveryPart() {
    var m = new ModelInfo("org/m", 384, 256);
    assertThat(m.fingerprint()).isEqualTo("org/m|dims=384|max-tokens=256");
    assertThat(m).hasToString("org/m (384 dimensions, inputs truncated at 256 tokens)");
  }
}
