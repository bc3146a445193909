package dev.ragtime.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ragtime.provider.EmbeddingException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The pipeline feeds its per-endpoint circuit breakers, end to end: real HTTP to scripted servers,
 * a fake clock that only the injected sleeper and the test move. The breaker's documented policy
 * (see {@code EndpointGroup}): it decides after {@value #MINIMUM_CALLS} calls, opens at a failure
 * rate of 50 %, stays open for {@link #OPEN_FOR} of the injected clock, then lets trial calls
 * through; 5xx, 408/409, I/O errors and timeouts count against it, 429s never do.
 */
class CircuitBreakerWiringTest {
  /** Calls a breaker needs before it may open. */
  private static final int MINIMUM_CALLS = 10;

  /** How long an open breaker refuses calls, on the injected clock. */
  private static final Duration OPEN_FOR = Duration.ofSeconds(10);

  private final ExecutorService executor =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("breaker-test-", 0).factory());
  private final FakeClock clock = new FakeClock();
  private final RecordingSleeper sleeper = new RecordingSleeper(clock);

  @AfterEach
  void closeExecutor() {
    executor.close();
  }

  private EmbeddingPipeline pipeline(ScriptedProvider primary, ScriptedProvider fallback) {
    return pipeline(primary, fallback, EmbeddingConfig.DEFAULT_MAX_ATTEMPTS);
  }

  private EmbeddingPipeline pipeline(
      ScriptedProvider primary, ScriptedProvider fallback, int maxAttempts) {
    // Long 429 storms back off for minutes of fake time; only attempts end a batch here.
    return pipeline(primary, fallback, maxAttempts, Duration.ofHours(1));
  }

  private EmbeddingPipeline pipeline(
      ScriptedProvider primary, ScriptedProvider fallback, int maxAttempts, Duration deadline) {
    EmbeddingConfig config =
        EmbeddingConfig.builder()
            .provider(EmbeddingConfig.Provider.OPENAI)
            .baseUrl(primary.baseUri())
            .fallbackUrls(List.of(fallback.baseUri()))
            .model("m")
            .dimensions(3)
            .maxBatch(1)
            .maxAttempts(maxAttempts)
            .deadline(deadline)
            .maxWait(Duration.ofMillis(1))
            .build();
    return EmbeddingPipeline.builder(config)
        .executor(executor)
        .clock(clock)
        .sleeper(sleeper)
        .random(new Random(12))
        .build();
  }

  private static String text(int i) {
    return "text number " + i;
  }

  @Test
  void aPrimaryThatIsDownGetsNoRequestWhileItsBreakerIsOpenThenATrialOnceTheIntervalPassed()
      throws Exception {
    var primaryUp = new AtomicBoolean(false);
    var lastPrimaryFailureAt = new AtomicReference<Instant>();
    try (var primary =
            new ScriptedProvider(
                (n, inputs) -> {
                  if (primaryUp.get()) {
                    return ScriptedProvider.ok(inputs);
                  }
                  // No time passes between this answer and the breaker recording it.
                  lastPrimaryFailureAt.set(clock.instant());
                  return ScriptedProvider.error(500, "primary is down", Map.of());
                });
        var fallback = new ScriptedProvider((n, inputs) -> ScriptedProvider.ok(inputs));
        var pipeline = pipeline(primary, fallback)) {
      // Until the breaker has seen its minimum calls, every batch tries the primary first.
      for (int i = 1; i <= MINIMUM_CALLS; i++) {
        assertThat(pipeline.embed(List.of(text(i))).getFirst())
            .containsExactly(ScriptedProvider.vectorFor(text(i)));
        assertThat(primary.requests).as("primary requests after batch %d", i).hasSize(i);
        assertThat(fallback.requests).as("fallback requests after batch %d", i).hasSize(i);
      }
      Instant openedAt = lastPrimaryFailureAt.get();

      // Open: batches go straight to the fallback, the primary hears nothing.
      for (int i = MINIMUM_CALLS + 1; i <= MINIMUM_CALLS + 5; i++) {
        pipeline.embed(List.of(text(i)));
      }
      assertThat(primary.requests).hasSize(MINIMUM_CALLS);
      assertThat(fallback.requests).hasSize(MINIMUM_CALLS + 5);

      // Just before the open interval ends: still nothing for the primary.
      Instant almost = openedAt.plus(OPEN_FOR).minusMillis(1);
      assertThat(clock.instant()).isBefore(almost); // the back-off sleeps were short
      clock.advance(Duration.between(clock.instant(), almost));
      pipeline.embed(List.of(text(100)));
      assertThat(primary.requests).hasSize(MINIMUM_CALLS);
      assertThat(fallback.requests).hasSize(MINIMUM_CALLS + 6);

      // Once it has passed, a trial call reaches the primary again, and a recovered primary is
      // used from then on.
      primaryUp.set(true);
      clock.advance(Duration.ofMillis(2));
      pipeline.embed(List.of(text(101)));
      pipeline.embed(List.of(text(102)));
      pipeline.embed(List.of(text(103)));
      assertThat(primary.requests)
          .hasSize(MINIMUM_CALLS + 3)
          .endsWith(List.of(text(101)), List.of(text(102)), List.of(text(103)));
      assertThat(fallback.requests).hasSize(MINIMUM_CALLS + 6);
    }
  }

  @Test
  void rateLimitsNeverOpenTheBreaker() throws Exception {
    int storm = 2 * MINIMUM_CALLS;
    try (var primary =
            new ScriptedProvider(
                (n, inputs) ->
                    n <= storm
                        ? ScriptedProvider.error(429, "slow down", Map.of("Retry-After", "1"))
                        : ScriptedProvider.ok(inputs));
        var fallback = new ScriptedProvider((n, inputs) -> ScriptedProvider.ok(inputs));
        var pipeline = pipeline(primary, fallback)) {
      // One batch meets every 429 (a 429 is retried on the same endpoint, and is no failed
      // attempt), then succeeds.
      assertThat(pipeline.embed(List.of(text(0))).getFirst())
          .containsExactly(ScriptedProvider.vectorFor(text(0)));
      assertThat(pipeline.stats().rateLimited()).isEqualTo(storm);
      for (int i = 1; i <= 5; i++) {
        pipeline.embed(List.of(text(i)));
      }
      // Had the 429s counted, the breaker would have opened after the tenth and later calls
      // would have gone to the fallback.
      assertThat(primary.requests).hasSize(storm + 6);
      assertThat(fallback.requests).isEmpty();
      assertThat(pipeline.stats().failovers()).isZero();
    }
  }

  @Test
  void whenEveryEndpointsBreakerIsOpenPastTheDeadlineTheCallFailsSayingSoWithoutSendingAnything()
      throws Exception {
    // Waiting for a breaker to half-open is a wait within the batch's deadline, not a failure: only
    // when the open interval (10 s) outlasts the deadline (5 s) does the call fail, at once.
    try (var primary =
            new ScriptedProvider(
                (n, inputs) -> ScriptedProvider.error(502, "primary is down", Map.of()));
        var fallback =
            new ScriptedProvider(
                (n, inputs) -> ScriptedProvider.error(503, "fallback is down", Map.of()));
        // Two attempts per batch: one on each endpoint.
        var pipeline = pipeline(primary, fallback, 2, Duration.ofSeconds(5))) {
      for (int i = 1; i <= MINIMUM_CALLS; i++) {
        int batch = i;
        assertThatThrownBy(() -> pipeline.embed(List.of(text(batch))))
            .isInstanceOf(EmbeddingException.class)
            .hasMessageContaining("2 failed attempts")
            .hasMessageNotContaining("circuit breaker");
      }
      assertThat(primary.requests).hasSize(MINIMUM_CALLS);
      assertThat(fallback.requests).hasSize(MINIMUM_CALLS);

      var before = clock.instant();
      assertThatThrownBy(() -> pipeline.embed(List.of(text(0))))
          .isInstanceOf(EmbeddingException.class)
          .hasMessageContaining("circuit breaker is open")
          .hasMessageContaining("deadline");
      // It failed at once rather than sleeping out the part of the interval it could not use.
      assertThat(Duration.between(before, clock.instant())).isLessThan(Duration.ofSeconds(1));
      assertThat(primary.requests).hasSize(MINIMUM_CALLS);
      assertThat(fallback.requests).hasSize(MINIMUM_CALLS);
    }
  }
}
