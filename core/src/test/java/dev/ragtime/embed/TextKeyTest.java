package dev.ragtime.embed;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextKeyTest {

  @Test
  void canonicallyEquivalentTextsShareAKey() {
    String precomposed = "caf\u00e9";
    String combining = "cafe\u0301";
    assertThat(TextKey.normalize(combining)).isEqualTo(precomposed);
    assertThat(TextKey.key("m", TextKey.normalize(combining)))
        .isEqualTo(TextKey.key("m", TextKey.normalize(precomposed)));
  }

  @Test
  void surroundingWhitespaceIsIgnoredButInnerWhitespaceAndCaseAreKept() {
    assertThat(TextKey.normalize("  hello world\n")).isEqualTo("hello world");
    assertThat(TextKey.key("m", "hello  world")).isNotEqualTo(TextKey.key("m", "hello world"));
    assertThat(TextKey.key("m", "Hello")).isNotEqualTo(TextKey.key("m", "hello"));
  }

  @Test
  void theModelNamespaceSeparatesKeys() {
    assertThat(TextKey.key("openai:a|dims=native", "x"))
        .isNotEqualTo(TextKey.key("openai:b|dims=native", "x"))
        .hasSize(64);
  }
}
