package dev.ragtime.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ErrorMapperTest {
  private static final InstantSource CLOCK =
      InstantSource.fixed(Instant.parse("2026-01-01T00:00:00Z"));
  private static final Endpoint ENDPOINT =
      new Endpoint(
          URI.create("https://api.example.com/v1"),
          WireProtocol.OPENAI,
          "text-embedding-3-small",
          Optional.of(Secret.of("sk-SECRET-123")),
          OptionalInt.empty(),
          Duration.ofSeconds(5));

  private static EmbeddingException map(
      int status, Map<String, List<String>> headers, String body) {
    return ErrorMapper.fromResponse(
        status,
        HttpHeaders.of(headers, (a, b) -> true),
        body.getBytes(StandardCharsets.UTF_8),
        ENDPOINT,
        3,
        CLOCK);
  }

  @Test
  void status429BecomesRateLimitedWithRetryAfterMsPreferred() {
    var e =
        map(
            429,
            Map.of("retry-after", List.of("2"), "retry-after-ms", List.of("1500")),
            "{\"error\":{\"message\":\"slow down\"}}");
    assertThat(e).isInstanceOf(RateLimitedException.class);
    assertThat(((RateLimitedException) e).retryAfter()).hasValue(Duration.ofMillis(1500));
    assertThat(e.retryable()).isTrue();
    assertThat(e.status()).hasValue(429);
  }

  @Test
  void retryAfterAsHttpDateIsRelativeToTheClock() {
    var e = map(429, Map.of("retry-after", List.of("Thu, 01 Jan 2026 00:00:07 GMT")), "{}");
    assertThat(((RateLimitedException) e).retryAfter()).hasValue(Duration.ofSeconds(7));
  }

  @Test
  void serverErrorsTimeoutsAndConflictsAreRetryable() {
    for (int status : new int[] {408, 409, 500, 502, 503, 504}) {
      assertThat(map(status, Map.of(), "oops"))
          .as("status %d", status)
          .isInstanceOf(ProviderUnavailableException.class);
    }
  }

  @Test
  void tooManyInputsIsTooLargeNotRejected() {
    var e =
        map(
            400,
            Map.of(),
            "{\"error\":{\"message\":\"too many inputs: 3000 > 2048 (maximum inputs per request)\"}}");
    assertThat(e).isInstanceOf(BatchTooLargeException.class);
    assertThat(((BatchTooLargeException) e).inputs()).isEqualTo(3);
    assertThat(map(413, Map.of(), "")).isInstanceOf(BatchTooLargeException.class);
  }

  @Test
  void authenticationFailureFailsFastWithStatusAndProviderMessageButNeverTheKey() {
    var e =
        map(
            401,
            Map.of(),
            "{\"error\":{\"message\":\"Incorrect API key provided: sk-SECRET-123\"}}");
    assertThat(e).isInstanceOf(ProviderRejectedException.class);
    assertThat(e.retryable()).isFalse();
    assertThat(e.getMessage())
        .contains("401", "Incorrect API key provided", "https://api.example.com:443")
        .doesNotContain("sk-SECRET-123");
    assertThat(((ProviderRejectedException) e).inputSpecific()).isFalse();
  }

  @Test
  void validationErrorIsInputSpecific() {
    var e = map(422, Map.of(), "{\"error\":\"invalid input\"}");
    assertThat(((ProviderRejectedException) e).inputSpecific()).isTrue();
  }

  @Test
  void ioErrorsAreRetryableAndTimeoutsAreMarked() {
    var timeout = ErrorMapper.fromIoException(new HttpTimeoutException("t"), ENDPOINT, 1);
    assertThat(timeout.timeout()).isTrue();
    assertThat(timeout.getMessage()).contains("timed out after PT5S");
    var refused = ErrorMapper.fromIoException(new ConnectException("refused"), ENDPOINT, 1);
    assertThat(refused.timeout()).isFalse();
    assertThat(refused.getMessage()).contains("could not connect");
    assertThat(ErrorMapper.fromIoException(new IOException("reset"), ENDPOINT, 2).retryable())
        .isTrue();
  }
}
