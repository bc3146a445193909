package dev.ragtime.embed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ragtime.provider.DeadlineExceededException;
import dev.ragtime.provider.Endpoint;
import dev.ragtime.provider.ProviderClient;
import dev.ragtime.provider.WireProtocol;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sender's executor against a real in-process server, on a fake clock: breaker-open waits,
 * unused reservations, the learned batch size and the AIMD signal of 503s.
 */
class RemoteSenderTest {
  private final ExecutorService executor =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("sender-test-", 0).factory());
  private final HttpClient http = ProviderClient.newHttpClient(Duration.ofSeconds(5), executor);
  private final FakeClock clock = new FakeClock();
  private final RecordingSleeper sleeper = new RecordingSleeper(clock);
  private final RecordingSink sink = new RecordingSink();

  @AfterEach
  void close() {
    http.close();
    executor.close();
  }

  /** Records what the sender hands back. */
  static final class RecordingSink implements BatchSender.Sink {
    final List<String> delivered = new CopyOnWriteArrayList<>();
    final List<RuntimeException> failures = new CopyOnWriteArrayList<>();
    final List<String> failed = new CopyOnWriteArrayList<>();

    @Override
    public void deliver(List<PendingText> batch, List<float[]> vectors, String endpoint, int t) {
      for (PendingText p : batch) {
        delivered.add(p.text);
        p.result.complete(vectors.get(batch.indexOf(p)));
      }
    }

    @Override
    public void fail(List<PendingText> batch, RuntimeException cause) {
      failures.add(cause);
      for (PendingText p : batch) {
        failed.add(p.text);
        p.result.completeExceptionally(cause);
      }
    }
  }

  private record Stack(
      RemoteSender sender,
      EndpointGroup group,
      AdaptiveLimiter limiter,
      RatePacer pacer,
      BatchLimit batchLimit) {}

  private Stack stack(ScriptedProvider server, EmbeddingConfig config) {
    var endpoint =
        new Endpoint(
            server.baseUri(),
            WireProtocol.OPENAI,
            "m",
            Optional.empty(),
            OptionalInt.empty(),
            config.timeout());
    var client =
        ProviderClient.create(endpoint, http, OpenTelemetry.noop().getTracer("t"), clock, h -> {});
    var group = new EndpointGroup(List.of(client), clock);
    var limiter =
        new AdaptiveLimiter(
            new AimdLimit(
                config.maxConcurrency(), config.maxConcurrency(), 0.75, Duration.ofSeconds(10)));
    var pacer = new RatePacer(config.rpm(), config.tpm(), clock);
    var batchLimit = new BatchLimit(config.maxBatch());
    var policy =
        new AttemptPolicy(
            config.maxAttempts(),
            true,
            config.deadline(),
            Backoff.DEFAULT,
            clock,
            new SplittableRandom(1));
    var sender =
        new RemoteSender(
            config,
            group,
            limiter,
            pacer,
            policy,
            batchLimit,
            clock,
            sleeper,
            sink,
            new PipelineMetrics(new SimpleMeterRegistry(), "m"));
    return new Stack(sender, group, limiter, pacer, batchLimit);
  }

  private static EmbeddingConfig.Builder config(ScriptedProvider server) {
    return EmbeddingConfig.builder()
        .provider(EmbeddingConfig.Provider.OPENAI)
        .baseUrl(server.baseUri())
        .model("m")
        .maxConcurrency(4);
  }

  private static List<PendingText> batch(String... texts) {
    var out = new ArrayList<PendingText>();
    for (String t : texts) {
      out.add(new PendingText("k-" + t, t, 1, 1, System.nanoTime()));
    }
    return out;
  }

  private static void send(Stack s, List<PendingText> batch) throws InterruptedException {
    s.sender().send(batch, s.limiter().acquire(), Optional.empty());
  }

  @Test
  void anOpenBreakerIsWaitedOutUntilItHalfOpensInsteadOfBurningTheAttempts() throws Exception {
    try (var server = new ScriptedProvider((n, inputs) -> ScriptedProvider.ok(inputs))) {
      Stack s = stack(server, config(server).build());
      s.group().members().getFirst().breaker().transitionToOpenState();

      send(s, batch("a", "b"));

      assertThat(sink.failures).isEmpty();
      assertThat(sink.delivered).containsExactly("a", "b");
      assertThat(server.requests).containsExactly(List.of("a", "b"));
      // One wait, exactly until the breaker half-opened; no back-off, no failed attempt.
      assertThat(sleeper.sleeps)
          .containsExactly(EndpointGroup.OPEN_FOR.plus(EndpointGroup.JUST_AFTER));
      assertThat(s.limiter().inFlight()).isZero();
    }
  }

  @Test
  void aBreakerThatHalfOpensOnlyAfterTheDeadlineFailsAtOnceAndGivesItsReservationBack()
      throws Exception {
    try (var server = new ScriptedProvider((n, inputs) -> ScriptedProvider.ok(inputs))) {
      // One request per second, one available at the start.
      Stack s = stack(server, config(server).rpm(60).deadline(Duration.ofSeconds(5)).build());
      s.group().members().getFirst().breaker().transitionToOpenState();

      send(s, batch("a"));

      assertThat(sink.failed).containsExactly("a");
      assertThat(sink.failures.getFirst())
          .isInstanceOf(DeadlineExceededException.class)
          .hasMessageContaining("circuit breaker is open");
      assertThat(sleeper.sleeps).isEmpty();
      assertThat(server.requests).isEmpty();
      // The request never left, so its reservation was given back: the next one need not wait.
      assertThat(s.pacer().reserve(1).delay()).isZero();
      assertThat(s.limiter().inFlight()).isZero();
    }
  }

  @Test
  void aTooLargeBatchShrinksTheLearnedSizeAndSuccessesGrowItBack() throws Exception {
    var cap = new java.util.concurrent.atomic.AtomicInteger(2);
    try (var server =
        new ScriptedProvider(
            (n, inputs) ->
                inputs.size() > cap.get()
                    ? new ScriptedProvider.Answer(
                        400,
                        Map.of(),
                        "{\"error\":{\"message\":\"too many inputs\",\"code\":\"too_many_inputs\"}}")
                    : ScriptedProvider.ok(inputs))) {
      Stack s = stack(server, config(server).maxBatch(8).build());
      send(s, batch("a", "b", "c", "d", "e", "f", "g", "h"));

      assertThat(sink.delivered).containsExactlyInAnyOrder("a", "b", "c", "d", "e", "f", "g", "h");
      // 8 and 4 were refused; pairs were accepted and grew the limit to 3, just below 4.
      assertThat(s.batchLimit().current()).isEqualTo(3);
      assertThat(s.batchLimit().ceiling()).isEqualTo(4);

      cap.set(100); // the provider now takes more
      int sent = 0;
      while (s.batchLimit().current() < 8 && sent < 2_000) {
        int size = s.batchLimit().current();
        var texts = new String[size];
        for (int i = 0; i < size; i++) {
          texts[i] = "t" + sent + "-" + i;
        }
        send(s, batch(texts));
        sent++;
      }
      assertThat(s.batchLimit().current()).isEqualTo(8);
      assertThat(sink.failures).isEmpty();
    }
  }

  @Test
  void aLone503IsAFaultButA503WithRetryAfterIsOverload() throws Exception {
    try (var server =
        new ScriptedProvider(
            (n, inputs) ->
                switch (n) {
                  case 1 -> ScriptedProvider.error(503, "hiccup", Map.of());
                  case 3 -> ScriptedProvider.error(503, "busy", Map.of("Retry-After", "1"));
                  default -> ScriptedProvider.ok(inputs);
                })) {
      Stack s = stack(server, config(server).build());
      send(s, batch("a"));
      assertThat(sink.delivered).containsExactly("a");
      assertThat(s.limiter().limit()).as("a random 503 is not overload").isEqualTo(4);

      send(s, batch("b"));
      assertThat(sink.delivered).containsExactly("a", "b");
      assertThat(s.limiter().limit()).as("503 + Retry-After is overload").isEqualTo(3);
    }
  }

  @Test
  void clustered503sAreOverload() throws Exception {
    try (var server =
        new ScriptedProvider(
            (n, inputs) ->
                n <= UnavailableWindow.CLUSTER
                    ? ScriptedProvider.error(503, "down", Map.of())
                    : ScriptedProvider.ok(inputs))) {
      Stack s = stack(server, config(server).build());
      send(s, batch("a"));
      assertThat(sink.delivered).containsExactly("a");
      // The first three 503s were faults; the fourth in a row made a cluster: one decrease.
      assertThat(s.limiter().limit()).isEqualTo(3);
    }
  }

  @Test
  void aLoneServerErrorIsSentAgainAtOnceAndASecondOneBacksOff() throws Exception {
    try (var server =
        new ScriptedProvider(
            (n, inputs) ->
                n == 1 || n == 3 || n == 4
                    ? ScriptedProvider.error(500, "oops", Map.of())
                    : ScriptedProvider.ok(inputs))) {
      Stack s = stack(server, config(server).build());
      send(s, batch("a"));
      assertThat(sink.delivered).containsExactly("a");
      assertThat(server.requests).hasSize(2);
      assertThat(sleeper.sleeps).as("a lone fault is retried without a back-off").isEmpty();

      send(s, batch("b")); // fails (alone: retried at once), fails again (backs off), succeeds
      assertThat(sink.delivered).containsExactly("a", "b");
      assertThat(server.requests).hasSize(5);
      assertThat(sleeper.sleeps).hasSize(1);
      assertThat(sleeper.sleeps.getFirst()).isPositive();
      assertThat(s.limiter().inFlight()).isZero();
    }
  }

  @Test
  void aFirstFailureRightAfterARunOfThemBacksOff() throws Exception {
    try (var server =
        new ScriptedProvider(
            (n, inputs) ->
                n <= UnavailableWindow.CLUSTER || n == UnavailableWindow.CLUSTER + 2
                    ? ScriptedProvider.error(502, "bad gateway", Map.of())
                    : ScriptedProvider.ok(inputs))) {
      Stack s = stack(server, config(server).build());
      send(s, batch("a")); // 502 × CLUSTER, then delivered
      assertThat(sink.delivered).containsExactly("a");
      sleeper.sleeps.clear();

      send(s, batch("b")); // its first failure, but the endpoint's recent answers are a run of them
      assertThat(sink.delivered).containsExactly("a", "b");
      assertThat(sleeper.sleeps).hasSize(1);
      assertThat(sleeper.sleeps.getFirst()).isPositive();
    }
  }

  @Test
  void insufficientQuotaFailsAtOnceWithoutRetrying() throws Exception {
    try (var server =
        new ScriptedProvider(
            (n, inputs) ->
                new ScriptedProvider.Answer(
                    429,
                    Map.of("Retry-After", "1"),
                    "{\"error\":{\"message\":\"You exceeded your current quota\","
                        + "\"type\":\"insufficient_quota\",\"code\":\"insufficient_quota\"}}"))) {
      Stack s = stack(server, config(server).build());
      send(s, batch("a", "b"));
      assertThat(sink.failed).containsExactly("a", "b");
      assertThat(sink.failures.getFirst()).hasMessageContaining("quota");
      assertThat(server.requests).hasSize(1);
      assertThat(sleeper.sleeps).isEmpty();
    }
  }

  @Test
  void aConcurrencyPermitIsWaitedForOnlyUntilTheDeadline() throws Exception {
    var limiter = new AdaptiveLimiter(new AimdLimit(1, 1, 0.75, Duration.ofSeconds(1)));
    var held = limiter.acquire();
    assertThat(limiter.acquire(Duration.ZERO)).isEmpty();
    assertThat(limiter.acquire(Duration.ofMillis(-5))).isEmpty();
    held.ignore();
    var next = limiter.acquire(Duration.ZERO);
    assertThat(next).isPresent();
    assertThat(limiter.inFlight()).isEqualTo(1);
    next.get().ignore();
  }
}
