package dev.ragtime.simulator;

import static dev.ragtime.simulator.TestHttp.json;
import static dev.ragtime.simulator.TestHttp.openAi;
import static dev.ragtime.simulator.TestHttp.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FaultsAndSwitchesTest {

  private HttpClient client;

  @BeforeEach
  void client() {
    client = TestHttp.client();
  }

  @AfterEach
  void closeClient() {
    client.close();
  }

  private static ProviderSimulator start(Faults faults) {
    return ProviderSimulator.start(SimulatorConfig.builder().dimension(8).faults(faults).build());
  }

  private static URI embeddings(ProviderSimulator sim) {
    return sim.baseUri().resolve("/v1/embeddings");
  }

  private static void awaitIdle(ProviderSimulator sim) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (sim.counters().concurrentRequests() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
  }

  @Test
  void resetFaultMakesTheJdkClientFailWithAnIOExceptionAndEmbedsNothing() throws Exception {
    try (ProviderSimulator sim = start(Faults.builder().resetProbability(1.0).build())) {
      assertThatThrownBy(() -> post(client, embeddings(sim), openAi("m", "doomed")))
          .isInstanceOf(IOException.class)
          .isNotInstanceOf(HttpTimeoutException.class);

      awaitIdle(sim);
      assertThat(sim.counters().faultsInjected(Fault.RESET)).isEqualTo(1);
      assertThat(sim.counters().timesEmbedded("doomed")).isZero();
      assertThat(sim.counters().responsesByStatus()).isEmpty();

      // the same client recovers with a fresh connection once the fault is switched off
      sim.setFaults(Faults.NONE);
      assertThat(post(client, embeddings(sim), openAi("m", "doomed")).statusCode()).isEqualTo(200);
      assertThat(sim.counters().timesEmbedded("doomed")).isEqualTo(1);
    }
  }

  @Test
  void hungResponseMakesAClientWithA500msTimeoutTimeOut() throws Exception {
    try (ProviderSimulator sim = start(Faults.builder().hangProbability(1.0).build())) {
      assertThatThrownBy(
              () -> post(client, embeddings(sim), openAi("m", "stuck"), Duration.ofMillis(500)))
          .isInstanceOf(HttpTimeoutException.class);

      assertThat(sim.counters().faultsInjected(Fault.HANG)).isEqualTo(1);
      assertThat(sim.counters().timesEmbedded("stuck")).isZero();
    }
  }

  @Test
  void serverErrorFaultsAnswer500JsonAnd502HtmlAnd503Json() throws Exception {
    try (ProviderSimulator sim = start(Faults.builder().http500Probability(1.0).build())) {
      HttpResponse<String> r500 = post(client, embeddings(sim), openAi("m", "x"));
      assertThat(r500.statusCode()).isEqualTo(500);
      assertThat(json(r500).at("/error/type").asText()).isEqualTo("server_error");

      sim.setFaults(Faults.builder().http502Probability(1.0).build());
      HttpResponse<String> r502 = post(client, embeddings(sim), openAi("m", "x"));
      assertThat(r502.statusCode()).isEqualTo(502);
      assertThat(r502.headers().firstValue("content-type")).contains("text/html");
      assertThat(r502.body()).contains("502 Bad Gateway");

      sim.setFaults(Faults.builder().http503Probability(1.0).build());
      assertThat(post(client, embeddings(sim), openAi("m", "x")).statusCode()).isEqualTo(503);

      assertThat(sim.counters().faultsInjected()).isEqualTo(3);
      assertThat(sim.counters().responsesByStatus()).containsOnlyKeys(500, 502, 503);
      assertThat(sim.counters().inputsEmbedded()).isZero();
    }
  }

  @Test
  void slowFaultDelaysASuccessfulResponse() throws Exception {
    Faults slow = Faults.builder().slowProbability(1.0).slowDelay(Duration.ofMillis(300)).build();
    try (ProviderSimulator sim = start(slow)) {
      long started = System.nanoTime();
      HttpResponse<String> response = post(client, embeddings(sim), openAi("m", "slowpoke"));
      long elapsedMillis = (System.nanoTime() - started) / 1_000_000;

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(elapsedMillis).isGreaterThanOrEqualTo(300);
      assertThat(sim.counters().faultsInjected(Fault.SLOW)).isEqualTo(1);
      assertThat(sim.counters().timesEmbedded("slowpoke")).isEqualTo(1);
    }
  }

  @Test
  void theSameSeedReproducesTheSameFaultSequence() throws Exception {
    Faults faults = Faults.builder().http500Probability(0.3).http503Probability(0.2).build();
    List<List<Integer>> runs = new ArrayList<>();
    for (int run = 0; run < 2; run++) {
      try (ProviderSimulator sim = start(faults)) {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
          statuses.add(post(client, embeddings(sim), openAi("m", "r" + i)).statusCode());
        }
        runs.add(statuses);
      }
    }
    assertThat(runs.get(0)).isEqualTo(runs.get(1)).contains(200, 500, 503);
  }

  @Test
  void downSwitchAnswers503UntilSwitchedBack() throws Exception {
    try (ProviderSimulator sim = start(Faults.NONE)) {
      sim.setDown(true);
      assertThat(sim.isDown()).isTrue();
      HttpResponse<String> down = post(client, embeddings(sim), openAi("m", "x"));
      assertThat(down.statusCode()).isEqualTo(503);
      assertThat(json(down).at("/error/code").asText()).isEqualTo("service_unavailable");
      assertThat(
              post(client, sim.baseUri().resolve("/api/embed"), "{\"model\":\"m\",\"input\":\"x\"}")
                  .statusCode())
          .isEqualTo(503);

      sim.setDown(false);
      assertThat(post(client, embeddings(sim), openAi("m", "x")).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void a429StormThrottlesEverythingForItsDurationWithRetryAfter() throws Exception {
    try (ProviderSimulator sim = start(Faults.NONE)) {
      sim.storm429(Duration.ofSeconds(30));
      assertThat(sim.isStorming()).isTrue();
      HttpResponse<String> stormed = post(client, embeddings(sim), openAi("m", "x"));

      assertThat(stormed.statusCode()).isEqualTo(429);
      long retryMs = Long.parseLong(stormed.headers().firstValue("retry-after-ms").orElseThrow());
      assertThat(retryMs).isBetween(20_000L, 30_000L);
      assertThat(stormed.headers().firstValue("retry-after"))
          .hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isBetween(20L, 30L));
      assertThat(sim.counters().throttled(Throttle.STORM)).isEqualTo(1);

      sim.storm429(Duration.ZERO);
      assertThat(sim.isStorming()).isFalse();
      assertThat(post(client, embeddings(sim), openAi("m", "x")).statusCode()).isEqualTo(200);
    }
  }
}
