package dev.ragtime.simulator;

import static dev.ragtime.simulator.TestHttp.json;
import static dev.ragtime.simulator.TestHttp.openAi;
import static dev.ragtime.simulator.TestHttp.post;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Rate limits, caps and the concurrency limit over HTTP, with a hand-driven clock for the limits.
 */
class LimitsTest {

  private static final long MS = 1_000_000L;

  private final AtomicLong clock = new AtomicLong();
  private HttpClient client;

  @BeforeEach
  void client() {
    client = TestHttp.client();
  }

  @AfterEach
  void closeClient() {
    client.close();
  }

  private static URI embeddings(ProviderSimulator sim) {
    return sim.baseUri().resolve("/v1/embeddings");
  }

  @Test
  void burstingBeyondTheRequestLimitGets429WithRetryHeadersAndPacingSucceeds() throws Exception {
    SimulatorConfig config =
        SimulatorConfig.builder()
            .dimension(8)
            .requestsPerMinute(600)
            .tokensPerMinute(600_000)
            .build();
    try (ProviderSimulator sim = ProviderSimulator.start(config, clock::get)) {
      // 600 RPM in 1 s windows: a burst of 10 passes, the 11th is throttled for 100 ms.
      for (int i = 0; i < 10; i++) {
        assertThat(post(client, embeddings(sim), openAi("m", "t" + i)).statusCode()).isEqualTo(200);
      }
      HttpResponse<String> throttled = post(client, embeddings(sim), openAi("m", "t10"));

      assertThat(throttled.statusCode()).isEqualTo(429);
      assertThat(throttled.headers().firstValue("retry-after")).contains("1");
      assertThat(throttled.headers().firstValue("retry-after-ms")).contains("100");
      assertThat(throttled.headers().firstValue("x-ratelimit-limit-requests")).contains("600");
      assertThat(throttled.headers().firstValue("x-ratelimit-remaining-requests")).contains("590");
      assertThat(throttled.headers().firstValue("x-ratelimit-reset-requests")).contains("1s");
      assertThat(throttled.headers().firstValue("x-ratelimit-limit-tokens")).contains("600000");
      assertThat(throttled.headers().firstValue("x-ratelimit-remaining-tokens")).contains("599990");
      assertThat(throttled.headers().firstValue("x-ratelimit-reset-tokens")).contains("1ms");
      assertThat(json(throttled).at("/error/code").asText()).isEqualTo("rate_limit_exceeded");
      assertThat(json(throttled).at("/error/type").asText()).isEqualTo("requests");
      assertThat(json(throttled).at("/error/message").asText())
          .contains("requests per min (RPM): Limit 600, Used 10, Requested 1")
          .contains("try again in 100ms");
      assertThat(sim.counters().throttled(Throttle.REQUESTS)).isEqualTo(1);

      // A paced client (one request per 100 ms of clock) is never throttled.
      for (int i = 0; i < 30; i++) {
        clock.addAndGet(100 * MS);
        HttpResponse<String> paced = post(client, embeddings(sim), openAi("m", "paced" + i));
        assertThat(paced.statusCode()).as("paced request %d", i).isEqualTo(200);
        assertThat(paced.headers().firstValue("x-ratelimit-limit-requests")).contains("600");
      }
      assertThat(sim.counters().throttled()).isEqualTo(1);
    }
  }

  @Test
  void tokenLimitThrottlesLargeRequestsAndChargesOnlyAdmittedOnes() throws Exception {
    SimulatorConfig config = SimulatorConfig.builder().dimension(8).tokensPerMinute(6_000).build();
    try (ProviderSimulator sim = ProviderSimulator.start(config, clock::get)) {
      String eightyTokens = "x".repeat(320);
      assertThat(post(client, embeddings(sim), openAi("m", eightyTokens)).statusCode())
          .isEqualTo(200); // 100-token burst → 20 left
      HttpResponse<String> throttled = post(client, embeddings(sim), openAi("m", eightyTokens));
      assertThat(throttled.statusCode()).isEqualTo(429);
      assertThat(json(throttled).at("/error/type").asText()).isEqualTo("tokens");
      // 60 tokens missing at 100 tokens/s
      assertThat(throttled.headers().firstValue("retry-after-ms")).contains("600");
      assertThat(throttled.headers().firstValue("x-ratelimit-remaining-tokens")).contains("5920");

      clock.addAndGet(600 * MS);
      assertThat(post(client, embeddings(sim), openAi("m", eightyTokens)).statusCode())
          .isEqualTo(200);
      assertThat(sim.counters().tokensEmbedded()).isEqualTo(160);
    }
  }

  @Test
  void perRequestCapsAnswer400NamingTheLimitSoTheClientCanSplit() throws Exception {
    SimulatorConfig config =
        SimulatorConfig.builder()
            .dimension(8)
            .maxInputsPerRequest(3)
            .maxTokensPerInput(10)
            .maxTokensPerRequest(12)
            .requestsPerMinute(60)
            .build();
    try (ProviderSimulator sim = ProviderSimulator.start(config, clock::get)) {
      HttpResponse<String> tooMany = post(client, embeddings(sim), openAi("m", "a", "b", "c", "d"));
      assertThat(tooMany.statusCode()).isEqualTo(400);
      assertThat(json(tooMany).at("/error/message").asText())
          .isEqualTo("too many inputs: 4 > 3 (maximum inputs per request)");
      assertThat(json(tooMany).at("/error/code").asText()).isEqualTo("too_many_inputs");

      HttpResponse<String> tooLong =
          post(client, embeddings(sim), openAi("m", "a", "y".repeat(44)));
      assertThat(tooLong.statusCode()).isEqualTo(400);
      assertThat(json(tooLong).at("/error/message").asText())
          .contains("maximum context length is 10 tokens")
          .contains("input 1 has 11 tokens");
      assertThat(json(tooLong).at("/error/code").asText()).isEqualTo("context_length_exceeded");

      HttpResponse<String> tooBig =
          post(client, embeddings(sim), openAi("m", "z".repeat(40), "z".repeat(40)));
      assertThat(tooBig.statusCode()).isEqualTo(400);
      assertThat(json(tooBig).at("/error/message").asText())
          .isEqualTo("too many tokens in request: 20 > 12 (maximum tokens per request)");

      // TEI answers the same caps with its own status and shape
      HttpResponse<String> tei =
          post(client, sim.baseUri().resolve("/embed"), "{\"inputs\":[\"a\",\"b\",\"c\",\"d\"]}");
      assertThat(tei.statusCode()).isEqualTo(413);
      assertThat(json(tei).get("error").asText()).startsWith("too many inputs: 4 > 3");

      // none of the rejected requests was charged: the single-request burst is still available
      assertThat(post(client, embeddings(sim), openAi("m", "ok")).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void concurrencyLimitRejectsTheRequestBeyondItWith429() throws Exception {
    SimulatorConfig config =
        SimulatorConfig.builder()
            .dimension(8)
            .maxConcurrentRequests(1)
            .baseLatency(Duration.ofMillis(400))
            .build();
    try (ProviderSimulator sim = ProviderSimulator.start(config)) {
      List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        calls.add(
            client.sendAsync(
                java.net.http.HttpRequest.newBuilder(embeddings(sim))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(openAi("m", "c" + i)))
                    .build(),
                HttpResponse.BodyHandlers.ofString()));
      }
      List<Integer> statuses = new ArrayList<>();
      for (var call : calls) {
        statuses.add(call.get().statusCode());
      }
      assertThat(statuses).containsExactlyInAnyOrder(200, 429);
      assertThat(sim.counters().throttled(Throttle.CONCURRENCY)).isEqualTo(1);
      assertThat(sim.counters().peakConcurrentRequests()).isEqualTo(2);
      HttpResponse<String> rejected =
          calls.stream()
              .map(CompletableFuture::join)
              .filter(r -> r.statusCode() == 429)
              .findFirst()
              .orElseThrow();
      assertThat(rejected.headers().firstValue("retry-after-ms")).contains("400");
      assertThat(json(rejected).at("/error/code").asText()).isEqualTo("concurrency_limit_exceeded");
    }
  }
}
