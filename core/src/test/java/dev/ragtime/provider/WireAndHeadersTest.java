package dev.ragtime.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WireAndHeadersTest {

  @Test
  void openAiBaseUrlMayEndWithOrWithoutV1AndSlash() {
    for (String base :
        List.of("http://h:8000", "http://h:8000/", "http://h:8000/v1", "http://h:8000/v1/")) {
      assertThat(WireProtocol.OPENAI.embeddingsUri(URI.create(base)))
          .hasToString("http://h:8000/v1/embeddings");
    }
    assertThat(WireProtocol.OPENAI.embeddingsUri(URI.create("https://gw.example/openai/v1")))
        .hasToString("https://gw.example/openai/v1/embeddings");
  }

  @Test
  void ollamaAndTeiPathsAreAppended() {
    assertThat(WireProtocol.OLLAMA.embeddingsUri(URI.create("http://h:11434")))
        .hasToString("http://h:11434/api/embed");
    assertThat(WireProtocol.OLLAMA.embeddingsUri(URI.create("http://h:11434/api/")))
        .hasToString("http://h:11434/api/embed");
    assertThat(WireProtocol.TEI.embeddingsUri(URI.create("http://h:8080/")))
        .hasToString("http://h:8080/embed");
  }

  @Test
  void nonHttpBaseUrlIsRefusedNamingIt() {
    assertThatThrownBy(() -> WireProtocol.TEI.embeddingsUri(URI.create("ftp://h/x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ftp://h");
  }

  @Test
  void openAiResetDurationsAreParsed() {
    assertThat(RateLimitHeaders.duration("6m0s")).hasValue(Duration.ofMinutes(6));
    assertThat(RateLimitHeaders.duration("20ms")).hasValue(Duration.ofMillis(20));
    assertThat(RateLimitHeaders.duration("1h2m3.5s"))
        .hasValue(Duration.ofSeconds(3723, 500_000_000));
    assertThat(RateLimitHeaders.duration("0.25")).hasValue(Duration.ofMillis(250));
    assertThat(RateLimitHeaders.duration("soon")).isEmpty();
    assertThat(RateLimitHeaders.duration("5sx")).isEmpty();
  }

  @Test
  void rateLimitHeadersAreRead() {
    var h =
        RateLimitHeaders.parse(
            HttpHeaders.of(
                Map.of(
                    "x-ratelimit-limit-requests", List.of("3000"),
                    "x-ratelimit-remaining-requests", List.of("2999"),
                    "x-ratelimit-reset-requests", List.of("20ms"),
                    "x-ratelimit-remaining-tokens", List.of("junk")),
                (a, b) -> true));
    assertThat(h.limitRequests()).hasValue(3000);
    assertThat(h.remainingRequests()).hasValue(2999);
    assertThat(h.resetRequests()).hasValue(Duration.ofMillis(20));
    assertThat(h.remainingTokens()).isEmpty();
    assertThat(h.present()).isTrue();
    assertThat(RateLimitHeaders.parse(HttpHeaders.of(Map.of(), (a, b) -> true)).present())
        .isFalse();
  }

  @Test
  void retryAfterInThePastMeansNow() {
    assertThat(
            RetryAfter.parseRetryAfter(
                "Thu, 01 Jan 2026 00:00:00 GMT", Instant.parse("2026-01-01T00:00:10Z")))
        .hasValue(Duration.ZERO);
    assertThat(RetryAfter.parseRetryAfter("-1", Instant.EPOCH)).isEmpty();
  }

  @Test
  void secretNeverShowsInToString() {
    Secret s = Secret.of("sk-abc");
    assertThat(s.toString()).doesNotContain("sk-abc");
    assertThat(s.redact("key sk-abc echoed")).isEqualTo("key **** echoed");
    assertThatThrownBy(() -> Secret.of(" ")).isInstanceOf(IllegalArgumentException.class);
  }
}
