package dev.ragtime.embed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ragtime.provider.Endpoint;
import dev.ragtime.provider.ProviderClient;
import dev.ragtime.provider.ProviderUnavailableException;
import dev.ragtime.provider.WireProtocol;
import io.opentelemetry.api.OpenTelemetry;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EndpointGroupTest {

  @Test
  void anEndpointThatKeepsFailingIsSkippedUntilItsBreakerHalfOpensOnTheInjectedClock() {
    var clock = new FakeClock();
    try (var exec =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("eg-", 0).factory());
        var http = ProviderClient.newHttpClient(Duration.ofSeconds(1), exec)) {
      var tracer = OpenTelemetry.noop().getTracer("t");
      List<ProviderClient> clients =
          List.of("http://127.0.0.1:1", "http://127.0.0.1:2").stream()
              .map(
                  u ->
                      ProviderClient.create(
                          new Endpoint(
                              URI.create(u),
                              WireProtocol.OPENAI,
                              "m",
                              Optional.empty(),
                              OptionalInt.empty(),
                              Duration.ofSeconds(1)),
                          http,
                          tracer,
                          clock,
                          h -> {}))
              .toList();
      var group = new EndpointGroup(clients, clock);
      var failure =
          new ProviderUnavailableException("down", 503, "x", Optional.empty(), false, null);
      for (int i = 0; i < EndpointGroup.MINIMUM_CALLS; i++) {
        var m = group.acquire(0).orElseThrow();
        assertThat(m.index()).isZero();
        m.breaker().onError(1, TimeUnit.MILLISECONDS, failure);
      }
      assertThat(group.acquire(0).orElseThrow().index()).isEqualTo(1); // primary's breaker open
      clock.advance(EndpointGroup.OPEN_FOR.plusSeconds(1));
      assertThat(group.acquire(0).orElseThrow().index()).isZero(); // half-open: one trial
    }
  }
}
