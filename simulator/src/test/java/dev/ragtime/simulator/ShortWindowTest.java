package dev.ragtime.simulator;

import static dev.ragtime.simulator.TestHttp.json;
import static dev.ragtime.simulator.TestHttp.openAi;
import static dev.ragtime.simulator.TestHttp.post;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A provider that enforces its per-minute limits over short windows (the pipeline benchmark's
 * {@code short-window} scenario): 40 requests/s and 150,000 tokens/s over 0.2 s, so its buckets
 * hold only 8 requests and 30,000 tokens. Over HTTP, with a hand-driven clock.
 */
class ShortWindowTest {
  private static final long MS = 1_000_000L;
  private static final String LONG_TEXT = "x".repeat(19_200); // 4,800 tokens

  private final AtomicLong clock = new AtomicLong();

  private static SimulatorConfig config() {
    return SimulatorConfig.builder()
        .dimension(8)
        .requestsPerMinute(2_400)
        .tokensPerMinute(9_000_000)
        .burstWindow(Duration.ofMillis(200))
        .build();
  }

  @Test
  void onlyAFifthOfASecondOfRequestsMayBurst() throws Exception {
    try (ProviderSimulator sim = ProviderSimulator.start(config(), clock::get);
        HttpClient client = TestHttp.client()) {
      URI uri = sim.baseUri().resolve("/v1/embeddings");
      for (int i = 0; i < 8; i++) {
        assertThat(post(client, uri, openAi("m", "t" + i)).statusCode()).isEqualTo(200);
      }
      HttpResponse<String> throttled = post(client, uri, openAi("m", "t8"));
      assertThat(throttled.statusCode()).isEqualTo(429);
      assertThat(json(throttled).at("/error/type").asText()).isEqualTo("requests");
      assertThat(throttled.headers().firstValue("retry-after-ms")).contains("25"); // 1 / 40 s
      // the headers still report the per-minute quota, not the window's
      assertThat(throttled.headers().firstValue("x-ratelimit-remaining-requests")).contains("2392");
      clock.addAndGet(25 * MS);
      assertThat(post(client, uri, openAi("m", "t8")).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void onlyAFifthOfASecondOfTokensMayBurst() throws Exception {
    try (ProviderSimulator sim = ProviderSimulator.start(config(), clock::get);
        HttpClient client = TestHttp.client()) {
      URI uri = sim.baseUri().resolve("/v1/embeddings");
      for (int i = 0; i < 6; i++) { // 6 × 4,800 = 28,800 of the 30,000
        assertThat(post(client, uri, openAi("m", LONG_TEXT + i)).statusCode()).isEqualTo(200);
      }
      HttpResponse<String> throttled = post(client, uri, openAi("m", LONG_TEXT + 6));
      assertThat(throttled.statusCode()).isEqualTo(429);
      assertThat(json(throttled).at("/error/type").asText()).isEqualTo("tokens");
      // 1,200 left, 4,801 needed (the suffix digit is one more character): 3,601 / 150,000 per s
      assertThat(throttled.headers().firstValue("retry-after-ms")).contains("25");
      assertThat(sim.counters().throttled(Throttle.TOKENS)).isEqualTo(1);
      clock.addAndGet(25 * MS);
      assertThat(post(client, uri, openAi("m", LONG_TEXT + 6)).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void theCommandLineSetsTheWindow() {
    SimulatorConfig config =
        SimulatorMain.parse(
            new String[] {"--rpm", "2400", "--tpm", "9000000", "--burst-window-ms", "200"});
    assertThat(config.burstWindow()).isEqualTo(Duration.ofMillis(200));
    assertThat(config.requestsPerMinute()).isEqualTo(2_400);
    assertThat(config.tokensPerMinute()).isEqualTo(9_000_000);
  }
}
