package dev.ragtime.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ragtime.provider.Secret;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class EmbeddingConfigTest {

  @Test
  void defaultsAreLocalWithTheDocumentedLimits() {
    var c = EmbeddingConfig.builder().build();
    assertThat(c.provider()).isEqualTo(EmbeddingConfig.Provider.LOCAL);
    assertThat(c.maxBatch()).isEqualTo(EmbeddingConfig.DEFAULT_MAX_BATCH);
    assertThat(c.timeout()).isEqualTo(EmbeddingConfig.DEFAULT_TIMEOUT);
    assertThat(c.endpoints()).isEmpty();
  }

  @Test
  void remoteProvidersGetTheirUsualAddressAndModel() {
    var c = EmbeddingConfig.builder().provider(EmbeddingConfig.Provider.OLLAMA).build();
    assertThat(c.baseUrl()).contains(URI.create("http://localhost:11434"));
    assertThat(c.remoteModelId()).isEqualTo("ollama:nomic-embed-text");
  }

  @Test
  void teiNeedsAModelName() {
    assertThatThrownBy(
            () -> EmbeddingConfig.builder().provider(EmbeddingConfig.Provider.TEI).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("model must be set for provider tei");
  }

  @Test
  void badValuesAreNamedInTheMessage() {
    assertThatThrownBy(() -> EmbeddingConfig.builder().maxBatch(0).build())
        .hasMessage("maxBatch must be in [1, 2048], was 0");
    assertThatThrownBy(() -> EmbeddingConfig.builder().timeout(Duration.ZERO).build())
        .hasMessageContaining("PT0S");
    assertThatThrownBy(() -> EmbeddingConfig.builder().maxConcurrency(5000).build())
        .hasMessageContaining("5000");
    assertThatThrownBy(() -> EmbeddingConfig.Provider.parse("cohere"))
        .hasMessageContaining("'cohere'");
  }

  @Test
  void fallbacksMustDifferFromThePrimary() {
    assertThatThrownBy(
            () ->
                EmbeddingConfig.builder()
                    .provider(EmbeddingConfig.Provider.OPENAI)
                    .baseUrl("http://a:1/v1")
                    .fallbackUrls(List.of(URI.create("http://a:1/")))
                    .build())
        .hasMessageContaining("appears twice");
  }

  @Test
  void theApiKeyNeverAppearsInToString() {
    var c =
        EmbeddingConfig.builder()
            .provider(EmbeddingConfig.Provider.OPENAI)
            .apiKey(Secret.of("sk-very-secret"))
            .build();
    assertThat(c.toString()).doesNotContain("sk-very-secret").contains("****");
    assertThat(c.toBuilder().build().apiKey()).isPresent();
  }

  @Test
  void providerNamesParseCaseInsensitively() {
    assertThat(EmbeddingConfig.Provider.parse(" OpenAI "))
        .isEqualTo(EmbeddingConfig.Provider.OPENAI);
  }
}
