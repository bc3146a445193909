package dev.ragtime.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * "One input is too long" versus "the batch is too large", by the provider's error code first and
 * its wording second; and the answers that no retry cures (no quota, 501, 505).
 */
class ErrorClassificationTest {
  private static final InstantSource CLOCK =
      InstantSource.fixed(Instant.parse("2026-01-01T00:00:00Z"));
  private static final Endpoint ENDPOINT =
      new Endpoint(
          URI.create("https://api.example.com/v1"),
          WireProtocol.OPENAI,
          "text-embedding-3-small",
          Optional.empty(),
          OptionalInt.empty(),
          Duration.ofSeconds(5));

  private static EmbeddingException map(int status, String body) {
    return map(status, Map.of(), body);
  }

  private static EmbeddingException map(
      int status, Map<String, List<String>> headers, String body) {
    return ErrorMapper.fromResponse(
        status,
        HttpHeaders.of(headers, (a, b) -> true),
        body.getBytes(StandardCharsets.UTF_8),
        ENDPOINT,
        4,
        CLOCK);
  }

  private static String openAi(String message, String code) {
    return "{\"error\":{\"message\":\""
        + message
        + "\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":"
        + (code == null ? "null" : "\"" + code + "\"")
        + "}}";
  }

  @Test
  void openAiContextLengthExceededIsOneInputTooLongEvenThoughItSaysMaximum() {
    // The old mapper took any 400 saying "maximum" for a batch too large and halved batching.
    var e =
        map(
            400,
            openAi(
                "This model's maximum context length is 8192 tokens, however you requested 9000"
                    + " tokens. Please reduce your prompt.",
                "context_length_exceeded"));
    assertThat(e).isInstanceOf(InputTooLongException.class);
    assertThat(((InputTooLongException) e).inputs()).isEqualTo(4);
    assertThat(e.retryable()).isFalse();
  }

  @Test
  void theCodeWinsOverTheWording() {
    // Wording that sounds like "input too long", code that says "too many inputs".
    assertThat(map(400, openAi("input is too long: maximum 2048 items", "too_many_inputs")))
        .isInstanceOf(BatchTooLargeException.class);
    // Wording that sounds like a batch size, code that says the context was exceeded.
    assertThat(map(400, openAi("batch size exceeded", "context_length_exceeded")))
        .isInstanceOf(InputTooLongException.class);
  }

  @Test
  void teiAndOllamaWordingIsClassifiedWhenNoCodeDecides() {
    // TEI: 413 with a generic error_type for both size problems.
    assertThat(
            map(
                413,
                "{\"error\":\"Input validation error: `inputs` must have less than 512 tokens."
                    + " Given: 600\",\"error_type\":\"Validation\"}"))
        .isInstanceOf(InputTooLongException.class);
    assertThat(
            map(
                413,
                "{\"error\":\"batch size 64 > maximum allowed batch size 32\","
                    + "\"error_type\":\"Validation\"}"))
        .isInstanceOf(BatchTooLargeException.class);
    // Ollama: a message only.
    assertThat(map(400, "{\"error\":\"the input length exceeds the context length\"}"))
        .isInstanceOf(InputTooLongException.class);
  }

  @Test
  void a400ThatOnlySaysExceedOrMaximumIsAnInputSpecificRejectionNotASplit() {
    var e = map(400, openAi("value exceeds the maximum allowed for 'dimensions'", null));
    assertThat(e).isInstanceOf(ProviderRejectedException.class);
    assertThat(((ProviderRejectedException) e).inputSpecific()).isTrue();
  }

  @Test
  void insufficientQuotaIsNotRetriedAndSaysWhy() {
    var e =
        map(
            429,
            Map.of("retry-after", List.of("20")),
            "{\"error\":{\"message\":\"You exceeded your current quota, please check your plan and"
                + " billing details.\",\"type\":\"insufficient_quota\",\"code\":\"insufficient_quota\"}}");
    assertThat(e).isInstanceOf(ProviderRejectedException.class);
    assertThat(e.retryable()).isFalse();
    assertThat(e.getMessage()).contains("429", "quota");
    assertThat(((ProviderRejectedException) e).inputSpecific()).isFalse();
    // An ordinary 429 stays retryable.
    assertThat(map(429, openAi("Rate limit reached for requests", "rate_limit_exceeded")))
        .isInstanceOf(RateLimitedException.class);
  }

  @Test
  void notImplementedAndVersionNotSupportedAreNotRetried() {
    for (int status : new int[] {501, 505}) {
      var e = map(status, "{\"error\":\"nope\"}");
      assertThat(e).as("HTTP %d", status).isInstanceOf(ProviderRejectedException.class);
      assertThat(e.retryable()).isFalse();
      assertThat(((ProviderRejectedException) e).inputSpecific()).isFalse();
    }
    assertThat(map(500, "oops")).isInstanceOf(ProviderUnavailableException.class);
  }

  @Test
  void theErrorCodeIsReadFromEachDialect() {
    assertThat(
            ProviderCodec.errorCode(
                openAi("m", "Context_Length_Exceeded").getBytes(StandardCharsets.UTF_8)))
        .hasValue("context_length_exceeded");
    assertThat(ProviderCodec.errorCode(openAi("m", null).getBytes(StandardCharsets.UTF_8)))
        .hasValue("invalid_request_error");
    assertThat(
            ProviderCodec.errorCode(
                "{\"error\":\"x\",\"error_type\":\"Validation\"}".getBytes(StandardCharsets.UTF_8)))
        .hasValue("validation");
    assertThat(ProviderCodec.errorCode("{\"error\":\"x\"}".getBytes(StandardCharsets.UTF_8)))
        .isEmpty();
    assertThat(ProviderCodec.errorCode("not json".getBytes(StandardCharsets.UTF_8))).isEmpty();
  }
}
