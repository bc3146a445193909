package dev.ragtime.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ragtime.simulator.ProviderSimulator;
import dev.ragtime.simulator.SimulatorConfig;
import java.net.URI;
import java.net.http.HttpClient;
import org.junit.jupiter.api.Test;

/**
 * The pooling benchmark measures what it says: each transport, sending sequentially, opens the
 * number of connections its name promises, counted by the simulator. Asserts connection counts,
 * never speed.
 */
class PoolingBenchmarkTest {
  private static final int REQUESTS = 12;

  private static long connectionsFor(PoolingBenchmark.Transport transport) throws Exception {
    try (var sim =
        ProviderSimulator.start(SimulatorConfig.builder().dimension(8).trackTexts(false).build())) {
      URI endpoint = sim.baseUri().resolve("/v1/embeddings");
      for (int i = 0; i < REQUESTS; i++) {
        assertThat(transport.send(endpoint)).isEqualTo(200);
      }
      assertThat(sim.counters().inputsEmbedded()).isEqualTo(REQUESTS);
      return sim.counters().connectionsAccepted();
    }
  }

  @Test
  void connectionPerCallOpensOneConnectionPerRequest() throws Exception {
    assertThat(connectionsFor(e -> PoolingBenchmark.urlSend(e, true))).isEqualTo(REQUESTS);
    assertThat(connectionsFor(PoolingBenchmark::jdkClientPerCall)).isEqualTo(REQUESTS);
  }

  @Test
  void pooledTransportsReuseOneConnectionForSequentialRequests() throws Exception {
    assertThat(connectionsFor(e -> PoolingBenchmark.urlSend(e, false))).isEqualTo(1);
    try (var client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      assertThat(connectionsFor(e -> PoolingBenchmark.jdkSend(client, e))).isEqualTo(1);
    }
  }
}
