package dev.ragtime.simulator;

import static dev.ragtime.simulator.TestHttp.json;
import static dev.ragtime.simulator.TestHttp.openAi;
import static dev.ragtime.simulator.TestHttp.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class CountersAndLifecycleTest {

  private static ProviderSimulator start() {
    return ProviderSimulator.start(SimulatorConfig.builder().dimension(8).build());
  }

  private static URI embeddings(ProviderSimulator sim) {
    return sim.baseUri().resolve("/v1/embeddings");
  }

  private static void awaitCondition(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
  }

  @Test
  void aKeepAliveClientReusesOneConnection() throws Exception {
    try (ProviderSimulator sim = start();
        HttpClient client = TestHttp.client()) {
      for (int i = 0; i < 5; i++) {
        assertThat(post(client, embeddings(sim), openAi("m", "k" + i)).statusCode()).isEqualTo(200);
      }
      assertThat(sim.counters().connectionsAccepted()).isEqualTo(1);
      assertThat(sim.counters().requestsReceived()).isEqualTo(5);
    }
  }

  @Test
  void eachExchangeIsLoggedWithItsTimesStatusAndInputsUntilReset() throws Exception {
    try (ProviderSimulator sim = start();
        HttpClient client = TestHttp.client()) {
      long before = System.nanoTime();
      assertThat(post(client, embeddings(sim), openAi("m", "a", "b", "c")).statusCode())
          .isEqualTo(200);
      assertThat(post(client, embeddings(sim), "{not json").statusCode()).isEqualTo(400);
      awaitCondition(() -> sim.counters().exchanges().size() == 2);
      List<SimulatorCounters.Exchange> log = sim.counters().exchanges();
      assertThat(log)
          .extracting(SimulatorCounters.Exchange::status, SimulatorCounters.Exchange::inputs)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(200, 3),
              org.assertj.core.groups.Tuple.tuple(400, 0));
      assertThat(log).allSatisfy(e -> assertThat(e.startNanos()).isBetween(before, e.endNanos()));
      sim.counters().reset();
      assertThat(sim.counters().exchanges()).isEmpty();
    }
  }

  @Test
  void aNewClientPerCallOpensANewConnectionEachTime() throws Exception {
    try (ProviderSimulator sim = start()) {
      for (int i = 0; i < 5; i++) {
        try (HttpClient client = TestHttp.client()) {
          assertThat(post(client, embeddings(sim), openAi("m", "n" + i)).statusCode())
              .isEqualTo(200);
        }
      }
      assertThat(sim.counters().connectionsAccepted()).isEqualTo(5);
    }
  }

  @Test
  void connectionCloseIsHonouredAndKeepAliveServesSeveralRequestsOnOneSocket() throws Exception {
    try (ProviderSimulator sim = start()) {
      String body = openAi("m", "raw");
      String request =
          "POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              + "Content-Length: "
              + body.length()
              + "\r\n";
      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), sim.port())) {
        String two =
            TestHttp.exchangeRaw(socket, request + "\r\n" + body + request + "\r\n" + body, 2);
        assertThat(two.split("HTTP/1.1 200 OK", -1)).hasSize(3);
        assertThat(two).doesNotContain("Connection: close");
      }
      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), sim.port())) {
        String closing =
            TestHttp.exchangeRaw(socket, request + "Connection: close\r\n\r\n" + body, 1);
        assertThat(closing).contains("Connection: close");
        assertThat(socket.getInputStream().read()).as("server closed the connection").isEqualTo(-1);
      }
      assertThat(sim.counters().connectionsAccepted()).isEqualTo(2);
      assertThat(sim.counters().responses(200)).isEqualTo(3);
    }
  }

  @Test
  void perTextCountsCountOnlyFullyWrittenSuccessfulEmbeddings() throws Exception {
    try (ProviderSimulator sim = start();
        HttpClient client = TestHttp.client()) {
      post(client, embeddings(sim), openAi("m", "a", "b", "a"));
      post(client, embeddings(sim), "{\"model\":\"m\"}"); // 400: embeds nothing

      SimulatorCounters counters = sim.counters();
      assertThat(counters.timesEmbedded("a")).isEqualTo(2);
      assertThat(counters.timesEmbedded("b")).isEqualTo(1);
      assertThat(counters.timesEmbedded("never")).isZero();
      assertThat(counters.distinctTextsEmbedded()).isEqualTo(2);
      assertThat(counters.embeddedTextCounts())
          .containsExactlyInAnyOrderEntriesOf(java.util.Map.of("a", 2L, "b", 1L));
      assertThat(counters.inputsEmbedded()).isEqualTo(3);
      assertThat(counters.tokensEmbedded()).isEqualTo(3);
      assertThat(counters.responsesByStatus())
          .containsExactly(java.util.Map.entry(200, 1L), java.util.Map.entry(400, 1L));
      assertThat(counters.snapshot().inputsEmbedded()).isEqualTo(3);

      counters.reset();
      assertThat(counters.timesEmbedded("a")).isZero();
      assertThat(counters.requestsReceived()).isZero();
      assertThat(counters.connectionsAccepted()).isZero();
      assertThat(counters.responsesByStatus()).isEmpty();
    }
  }

  @Test
  void concurrentClientsGetEveryTextEmbeddedExactlyOnceAndCountersAgree() throws Exception {
    int requests = 200;
    try (ProviderSimulator sim = start();
        HttpClient client = TestHttp.client();
        ExecutorService callers =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("caller-", 0).factory())) {
      List<Future<JsonNode>> futures = new ArrayList<>();
      for (int i = 0; i < requests; i++) {
        String text = "text-" + i;
        futures.add(
            callers.submit(
                () -> json(post(client, embeddings(sim), openAi("m", text, text + "!")))));
      }
      for (int i = 0; i < requests; i++) {
        JsonNode body = futures.get(i).get();
        assertThat(TestHttp.floats(body.at("/data/1/embedding")))
            .containsExactly(ProviderSimulator.expectedVector("m", "text-" + i + "!", 8));
      }
      SimulatorCounters counters = sim.counters();
      assertThat(counters.responses(200)).isEqualTo(requests);
      assertThat(counters.inputsEmbedded()).isEqualTo(2L * requests);
      assertThat(counters.embeddedTextCounts().values()).containsOnly(1L);
      assertThat(counters.distinctTextsEmbedded()).isEqualTo(2 * requests);
      assertThat(counters.peakConcurrentRequests()).isBetween(1, requests);
    }
  }

  @Test
  void aHungRequestIsReleasedWhenTheClientGivesUp() throws Exception {
    try (ProviderSimulator sim =
            ProviderSimulator.start(
                SimulatorConfig.builder()
                    .faults(Faults.builder().hangProbability(1.0).build())
                    .build());
        HttpClient client = TestHttp.client()) {
      assertThatThrownBy(
              () -> post(client, embeddings(sim), openAi("m", "x"), Duration.ofMillis(300)))
          .isInstanceOf(HttpTimeoutException.class);
      // the server notices when the client closes the connection; the counters follow shortly
      awaitCondition(
          () -> sim.counters().concurrentRequests() == 0 && sim.counters().openConnections() == 0);
      assertThat(sim.counters().concurrentRequests()).isZero();
      assertThat(sim.counters().openConnections()).isZero();
    }
  }

  @Test
  void closeUnblocksHungClientsStopsEveryThreadAndFreesThePort() throws Exception {
    Set<String> nonDaemonBefore = nonDaemonThreadNames();
    ProviderSimulator sim =
        ProviderSimulator.start(
            SimulatorConfig.builder()
                .faults(Faults.builder().hangProbability(1.0).build())
                .build());
    int port = sim.port();
    try (HttpClient client = TestHttp.client();
        ExecutorService caller =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("hung-caller").factory())) {
      Future<HttpResponse<String>> hung =
          caller.submit(
              () -> post(client, embeddings(sim), openAi("m", "x"), Duration.ofSeconds(30)));
      awaitCondition(() -> sim.counters().concurrentRequests() == 1);
      assertThat(sim.counters().concurrentRequests()).isEqualTo(1);

      sim.close();

      assertThatThrownBy(hung::get)
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(IOException.class)
          .isNotInstanceOf(HttpTimeoutException.class);
    }
    assertThat(sim.threadsAlive()).isFalse();
    assertThat(sim.liveConnections()).isZero();
    assertThat(sim.counters().openConnections()).isZero();
    assertThat(nonDaemonThreadNames()).isSubsetOf(nonDaemonBefore);
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().startsWith("ragtime-sim-" + port));
    try (ServerSocket again = new ServerSocket()) {
      again.setReuseAddress(true);
      again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      assertThat(again.getLocalPort()).isEqualTo(port);
    }
    sim.close(); // idempotent
  }

  private static Set<String> nonDaemonThreadNames() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && !t.isDaemon())
        .map(Thread::getName)
        .collect(Collectors.toSet());
  }

  @Test
  void adminEndpointsExposeCountersAndSwitchesForAStandaloneSimulator() throws Exception {
    try (ProviderSimulator sim =
            ProviderSimulator.start(SimulatorConfig.builder().adminEndpoints(true).build());
        HttpClient client = TestHttp.client()) {
      post(client, embeddings(sim), openAi("m", "one"));
      HttpResponse<String> counters =
          client.send(
              HttpRequest.newBuilder(sim.baseUri().resolve("/_sim/counters")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(json(counters).get("inputsEmbedded").asLong()).isEqualTo(1);
      assertThat(json(counters).at("/responsesByStatus/200").asLong()).isEqualTo(1);

      post(client, sim.baseUri().resolve("/_sim/down?on=true"), "");
      assertThat(sim.isDown()).isTrue();
      post(client, sim.baseUri().resolve("/_sim/faults?http500=0.5&slowMs=10"), "");
      assertThat(sim.faults().http500Probability()).isEqualTo(0.5);
      assertThat(post(client, sim.baseUri().resolve("/_sim/faults?reset=2"), "").statusCode())
          .isEqualTo(400);
      // admin requests are not counted
      assertThat(sim.counters().requestsReceived()).isEqualTo(1);
    }
  }

  @Test
  void adminEndpointsAreOffByDefault() throws Exception {
    try (ProviderSimulator sim = start();
        HttpClient client = TestHttp.client()) {
      assertThat(post(client, sim.baseUri().resolve("/_sim/down?on=true"), "").statusCode())
          .isEqualTo(404);
      assertThat(sim.isDown()).isFalse();
    }
  }
}
