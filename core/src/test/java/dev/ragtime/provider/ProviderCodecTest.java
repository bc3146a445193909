package dev.ragtime.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ProviderCodecTest {

  private static Endpoint endpoint(WireProtocol p, OptionalInt dims) {
    return new Endpoint(
        URI.create("http://127.0.0.1:1"), p, "m", Optional.empty(), dims, Duration.ofSeconds(1));
  }

  private static String encode(WireProtocol p, OptionalInt dims, List<String> texts) {
    return new String(ProviderCodec.encode(endpoint(p, dims), texts), StandardCharsets.UTF_8);
  }

  @Test
  void openAiRequestCarriesModelInputsFloatFormatAndDimensions() {
    assertThat(encode(WireProtocol.OPENAI, OptionalInt.of(256), List.of("a", "b\"c")))
        .isEqualTo(
            "{\"model\":\"m\",\"input\":[\"a\",\"b\\\"c\"],\"encoding_format\":\"float\","
                + "\"dimensions\":256}");
  }

  @Test
  void teiRequestAsksToTruncateAndNormalise() {
    assertThat(encode(WireProtocol.TEI, OptionalInt.empty(), List.of("x")))
        .isEqualTo("{\"inputs\":[\"x\"],\"truncate\":true,\"normalize\":true}");
  }

  @Test
  void ollamaRequestAsksToTruncate() {
    assertThat(encode(WireProtocol.OLLAMA, OptionalInt.empty(), List.of("x")))
        .isEqualTo("{\"model\":\"m\",\"input\":[\"x\"],\"truncate\":true}");
  }

  @Test
  void openAiResponseIsOrderedByIndexAndReportsPromptTokens() throws IOException {
    String body =
        "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":1,\"embedding\":[3,4]},"
            + "{\"index\":0,\"embedding\":[1.5,-2e-1]}],\"model\":\"m\","
            + "\"usage\":{\"prompt_tokens\":7,\"total_tokens\":7}}";
    var decoded = ProviderCodec.decode(WireProtocol.OPENAI, body.getBytes(StandardCharsets.UTF_8));
    assertThat(decoded.vectors()).containsExactly(new float[] {1.5f, -0.2f}, new float[] {3, 4});
    assertThat(decoded.promptTokens()).hasValue(7);
  }

  @Test
  void openAiResponseWithAMissingIndexIsRejected() {
    String body = "{\"data\":[{\"index\":1,\"embedding\":[3,4]}]}";
    assertThatThrownBy(
            () -> ProviderCodec.decode(WireProtocol.OPENAI, body.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("index 0");
  }

  @Test
  void ollamaAndTeiResponsesAreRead() throws IOException {
    var ollama =
        ProviderCodec.decode(
            WireProtocol.OLLAMA,
            "{\"model\":\"m\",\"embeddings\":[[1,2],[3,4]],\"prompt_eval_count\":5}"
                .getBytes(StandardCharsets.UTF_8));
    assertThat(ollama.vectors()).containsExactly(new float[] {1, 2}, new float[] {3, 4});
    assertThat(ollama.promptTokens()).hasValue(5);
    var tei =
        ProviderCodec.decode(WireProtocol.TEI, "[[0.5],[0.25]]".getBytes(StandardCharsets.UTF_8));
    assertThat(tei.vectors()).containsExactly(new float[] {0.5f}, new float[] {0.25f});
    assertThat(tei.promptTokens()).isEmpty();
  }

  @Test
  void errorMessagesAreFoundInEveryDialect() {
    assertThat(msg("{\"error\":{\"message\":\"bad key\",\"type\":\"x\"}}")).isEqualTo("bad key");
    assertThat(msg("{\"error\":\"model not found\"}")).isEqualTo("model not found");
    assertThat(msg("{\"object\":\"error\",\"message\":\"vllm says no\"}"))
        .isEqualTo("vllm says no");
    assertThat(msg("{\"detail\":\"fastapi\"}")).isEqualTo("fastapi");
    assertThat(msg("plain\n text")).isEqualTo("plain text");
    assertThat(msg("")).isEqualTo("(empty body)");
    assertThat(msg("x".repeat(2000))).hasSizeLessThan(510);
  }

  private static String msg(String body) {
    return ProviderCodec.errorMessage(body.getBytes(StandardCharsets.UTF_8));
  }
}
