package dev.ragtime.embed;

import dev.ragtime.provider.Endpoint;
import dev.ragtime.provider.ProviderClient;
import dev.ragtime.provider.WireProtocol;
import io.micrometer.core.instrument.Tags;
import io.opentelemetry.api.trace.Tracer;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.concurrent.Executor;
import java.util.random.RandomGenerator;

/**
 * The remote half of the pipeline, built in one place: the pooled HTTP client, one provider client
 * per endpoint, the endpoint group with its breakers, the rate pacer and the {@link RemoteSender}
 * over them, plus their gauges. The caller closes {@link #http()}.
 */
record RemoteStack(RatePacer pacer, HttpClient http, EndpointGroup endpoints, BatchSender sender) {

  /** The longest connect timeout: a shorter request timeout is used as it is. */
  static final Duration MAX_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /** How long {@link #close()} waits for exchanges in progress before it cuts them off. */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  static RemoteStack create(
      EmbeddingConfig config,
      Executor executor,
      Tracer tracer,
      InstantSource clock,
      Sleeper sleeper,
      RandomGenerator random,
      AdaptiveLimiter limiter,
      BatchSender.Sink sink,
      PipelineMetrics metrics,
      BatchLimit batchLimit) {
    var rp = new RatePacer(config.rpm(), config.tpm(), clock);
    HttpClient client =
        ProviderClient.newHttpClient(
            config.timeout().compareTo(MAX_CONNECT_TIMEOUT) < 0
                ? config.timeout()
                : MAX_CONNECT_TIMEOUT,
            executor);
    WireProtocol protocol = config.provider().protocol().orElseThrow();
    var clients = new ArrayList<ProviderClient>();
    for (URI url : config.endpoints()) {
      var endpoint =
          new Endpoint(
              url,
              protocol,
              config.model(),
              config.apiKey(),
              config.dimensions(),
              config.timeout());
      clients.add(ProviderClient.create(endpoint, client, tracer, clock, rp::observe));
    }
    var group = new EndpointGroup(clients, clock);
    var sender =
        new RemoteSender(
            config,
            group,
            limiter,
            rp,
            new AttemptPolicy(
                config.maxAttempts(),
                config.provider() == EmbeddingConfig.Provider.OPENAI,
                config.deadline(),
                Backoff.DEFAULT,
                clock,
                random),
            batchLimit,
            clock,
            sleeper,
            sink,
            metrics);
    for (EndpointGroup.Member m : group.members()) {
      metrics.gauge(
          "circuit.state",
          "circuit breaker state: 0 closed, 1 open, 2 half-open, 3 other",
          Tags.of("endpoint", m.label()),
          m,
          mem ->
              switch (mem.breaker().getState()) {
                case CLOSED -> 0;
                case OPEN, FORCED_OPEN -> 1;
                case HALF_OPEN -> 2;
                default -> 3;
              });
    }
    metrics.gauge(
        "pacing.rpm", "requests per minute paced at (0 = unlimited)", rp::requestsPerMinute);
    metrics.gauge("pacing.tpm", "tokens per minute paced at (0 = unlimited)", rp::tokensPerMinute);
    return new RemoteStack(rp, client, group, sender);
  }

  /** Shuts the HTTP client down, waiting up to {@link #CLOSE_WAIT} for exchanges in progress. */
  void close() {
    http.shutdown();
    try {
      if (!http.awaitTermination(CLOSE_WAIT)) {
        http.shutdownNow();
      }
    } catch (InterruptedException e) {
      http.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
