package dev.ragtime.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ragtime.chunk.TokenCounter;
import dev.ragtime.provider.DeadlineExceededException;
import dev.ragtime.provider.EmbeddingCancelledException;
import dev.ragtime.provider.EmbeddingException;
import dev.ragtime.provider.LocalModelException;
import dev.ragtime.provider.MalformedResponseException;
import dev.ragtime.provider.ProviderRejectedException;
import dev.ragtime.provider.Secret;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.cumulative.CumulativeTimer;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.pause.PauseDetector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pipeline behaviour against scripted in-process servers and a fake local model. */
class EmbeddingPipelineTest {
  private final ExecutorService executor =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("embed-test-", 0).factory());

  @AfterEach
  void closeExecutor() {
    executor.close();
  }

  private EmbeddingConfig.Builder openAi(ScriptedProvider server) {
    return EmbeddingConfig.builder()
        .provider(EmbeddingConfig.Provider.OPENAI)
        .baseUrl(server.baseUri())
        .model("m")
        .maxWait(Duration.ofMillis(1));
  }

  @Test
  void retryAfterIsHonouredWithoutRealSleeping() throws Exception {
    try (var server =
        new ScriptedProvider(
            (n, inputs) ->
                n == 1
                    ? ScriptedProvider.error(429, "slow down", Map.of("Retry-After", "7"))
                    : ScriptedProvider.ok(inputs))) {
      var clock = new FakeClock();
      var sleeper = new RecordingSleeper(clock);
      Instant start = clock.instant();
      try (var pipeline =
          EmbeddingPipeline.builder(openAi(server).build())
              .executor(executor)
              .clock(clock)
              .sleeper(sleeper)
              .build()) {
        List<float[]> v = pipeline.embed(List.of("hello"));
        // The wait went through the injected sleeper (which moves the fake clock), not a real
        // sleep: the fake clock moved by exactly what was slept.
        assertThat(Duration.between(start, clock.instant())).isEqualTo(sleeper.total());
        assertThat(v.getFirst()).containsExactly(ScriptedProvider.vectorFor("hello"));
        assertThat(sleeper.sleeps)
            .anySatisfy(d -> assertThat(d).isGreaterThanOrEqualTo(Duration.ofSeconds(7)));
        assertThat(pipeline.stats().rateLimited()).isEqualTo(1);
        assertThat(pipeline.stats().retries()).isEqualTo(1);
      }
      assertThat(server.requests).hasSize(2);
    }
  }

  @Test
  void aFailedAttemptRecordsHowLongItTookNotZero() throws Exception {
    try (var server =
        new ScriptedProvider(
            (n, inputs) -> {
              if (n > 1) {
                return ScriptedProvider.ok(inputs);
              }
              try {
                TimeUnit.MILLISECONDS.sleep(60);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return ScriptedProvider.error(429, "slow down", Map.of("Retry-After", "1"));
            })) {
      var clock = new FakeClock();
      var registry = new SimpleMeterRegistry();
      try (var pipeline =
          EmbeddingPipeline.builder(openAi(server).build())
              .executor(executor)
              .clock(clock)
              .sleeper(new RecordingSleeper(clock))
              .meterRegistry(registry)
              .build()) {
        pipeline.embed(List.of("hello"));
        Timer rateLimited =
            registry
                .find("ragtime.embedding.request.duration")
                .tag("outcome", "rate_limited")
                .timer();
        assertThat(rateLimited).isNotNull();
        assertThat(rateLimited.count()).isEqualTo(1);
        assertThat(rateLimited.totalTime(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(60);
      }
    }
  }

  @Test
  void aQuotaReportedExhaustedIsWaitedOutUntilItsResetInsteadOfDrawingA429() throws Exception {
    var clock = new FakeClock();
    var availableAt = new AtomicReference<>(Instant.MIN);
    // Every answer says: nothing left, full again in 3 s (no limit header, so no rate to learn).
    // Asking earlier is a 429, as a provider with a fixed window would answer.
    try (var server =
        new ScriptedProvider(
            (n, inputs) -> {
              if (clock.instant().isBefore(availableAt.get())) {
                return ScriptedProvider.error(429, "quota exhausted", Map.of());
              }
              availableAt.set(clock.instant().plusSeconds(3));
              return new ScriptedProvider.Answer(
                  200,
                  Map.of("x-ratelimit-remaining-requests", "0", "x-ratelimit-reset-requests", "3s"),
                  ScriptedProvider.ok(inputs).body());
            })) {
      var sleeper = new RecordingSleeper(clock);
      try (var pipeline =
          EmbeddingPipeline.builder(openAi(server).build())
              .executor(executor)
              .clock(clock)
              .sleeper(sleeper)
              .build()) {
        for (String text : List.of("a", "b", "c")) {
          assertThat(pipeline.embed(List.of(text)).getFirst())
              .containsExactly(ScriptedProvider.vectorFor(text));
        }
        assertThat(pipeline.stats().rateLimited()).isZero();
        assertThat(sleeper.total()).isEqualTo(Duration.ofSeconds(6));
      }
      assertThat(server.requests).hasSize(3);
    }
  }

  @Test
  void aRetryAfterOfAnHourIsHonouredForAMinuteThenTheBatchIsSentAgain() throws Exception {
    try (var server =
        new ScriptedProvider(
            (n, inputs) ->
                n == 1
                    ? ScriptedProvider.error(429, "come back later", Map.of("Retry-After", "3600"))
                    : ScriptedProvider.ok(inputs))) {
      var clock = new FakeClock();
      var sleeper = new RecordingSleeper(clock);
      try (var pipeline =
          EmbeddingPipeline.builder(openAi(server).build()) // default deadline: 2 minutes
              .executor(executor)
              .clock(clock)
              .sleeper(sleeper)
              .build()) {
        assertThat(pipeline.embed(List.of("hello")).getFirst())
            .containsExactly(ScriptedProvider.vectorFor("hello"));
        assertThat(sleeper.sleeps)
            .allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(RatePacer.MAX_HOLD));
        assertThat(sleeper.sleeps).contains(RatePacer.MAX_HOLD);
      }
      assertThat(server.requests).hasSize(2);
    }
  }

  @Test
  void aPacingWaitThatWouldPassTheDeadlineFailsTheBatchRetryablyInsteadOfSleeping()
      throws Exception {
    try (var server = new ScriptedProvider((n, inputs) -> ScriptedProvider.ok(inputs))) {
      var clock = new FakeClock();
      var sleeper = new RecordingSleeper(clock);
      try (var pipeline =
          EmbeddingPipeline.builder(
                  openAi(server).rpm(1).maxBatch(1).deadline(Duration.ofSeconds(30)).build())
              .executor(executor)
              .clock(clock)
              .sleeper(sleeper)
              .build()) {
        // One request per minute: the second text's request could leave only after 60 s.
        assertThatThrownBy(() -> pipeline.embed(List.of("a", "b")))
            .isInstanceOf(DeadlineExceededException.class)
            .hasMessageContaining("rate limits")
            .satisfies(e -> assertThat(((EmbeddingException) e).retryable()).isTrue());
      }
      assertThat(sleeper.sleeps).allSatisfy(d -> assertThat(d).isLessThan(Duration.ofSeconds(30)));
      assertThat(server.requests).hasSize(1);
    }
  }

  @Test
  void singleTextsFromManyCallersFillOneRequestWhileTheRequestQuotaRefills() throws Exception {
    try (var server = new ScriptedProvider((n, inputs) -> ScriptedProvider.ok(inputs))) {
      var clock = new FakeClock();
      var sleeper = new RecordingSleeper(clock);
      try (var pipeline =
          EmbeddingPipeline.builder(openAi(server).rpm(1).maxBatch(4).maxConcurrency(4).build())
              .executor(executor)
              .clock(clock)
              .sleeper(sleeper)
              .build()) {
        // The first request spends the one request the bucket starts with; the next is a minute
        // (of the fake clock) away, while three concurrency permits are free.
        assertThat(pipeline.embed(List.of("a"))).hasSize(1);
        var results = new ArrayList<CompletableFuture<List<float[]>>>();
        for (String t : List.of("b", "c", "d", "e")) {
          results.add(CompletableFuture.supplyAsync(() -> pipeline.embed(List.of(t)), executor));
          Thread.sleep(20); // callers arrive one by one, each well after the 1 ms linger
        }
        for (int i = 0; i < results.size(); i++) {
          assertThat(results.get(i).get(10, TimeUnit.SECONDS).getFirst())
              .containsExactly(ScriptedProvider.vectorFor(List.of("b", "c", "d", "e").get(i)));
        }
      }
      // The batch kept filling while quota was away and left full, once, after the paced wait.
      assertThat(server.requests).hasSize(2);
      assertThat(server.requests.get(1)).containsExactlyInAnyOrder("b", "c", "d", "e");
      assertThat(sleeper.total()).isGreaterThanOrEqualTo(Duration.ofSeconds(59));
    }
  }

  @Test
  void noBatchHoldsAConcurrencyPermitWhileARetryAfterPauseIsInForce() throws Exception {
    try (var server =
        new ScriptedProvider(
            (n, inputs) ->
                n == 1
                    ? ScriptedProvider.error(429, "slow down", Map.of("Retry-After", "5"))
                    : ScriptedProvider.ok(inputs))) {
      var clock = new FakeClock();
      var pipeline = new AtomicReference<EmbeddingPipeline>();
      var inFlightWhileWaiting = new CopyOnWriteArrayList<Integer>();
      var firstWaitStarted = new CountDownLatch(1);
      var releaseFirstWait = new CountDownLatch(1);
      var waits = new AtomicInteger();
      Sleeper sleeper =
          d -> {
            inFlightWhileWaiting.add(pipeline.get().stats().inFlight());
            if (waits.getAndIncrement() == 0) { // the 429'd batch backing off: keep it there
              firstWaitStarted.countDown();
              releaseFirstWait.await();
            }
            clock.advance(d);
          };
      try (var p =
          EmbeddingPipeline.builder(openAi(server).build())
              .executor(executor)
              .clock(clock)
              .sleeper(sleeper)
              .build()) {
        pipeline.set(p);
        var first = CompletableFuture.supplyAsync(() -> p.embed(List.of("a")), executor);
        assertThat(firstWaitStarted.await(10, TimeUnit.SECONDS)).isTrue();

        // The pause from the 429 is in force: a new text waits for it without a permit.
        assertThat(p.embed(List.of("b")).getFirst())
            .containsExactly(ScriptedProvider.vectorFor("b"));

        releaseFirstWait.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS).getFirst())
            .containsExactly(ScriptedProvider.vectorFor("a"));
      }
      assertThat(inFlightWhileWaiting).hasSizeGreaterThanOrEqualTo(2).containsOnly(0);
      assertThat(server.requests).containsExactly(List.of("a"), List.of("b"), List.of("a"));
    }
  }

  @Test
  void authenticationFailureFailsFastWithoutRetriesOrTheKeyInTheMessage() throws Exception {
    try (var server =
        new ScriptedProvider(
            (n, inputs) ->
                ScriptedProvider.error(401, "Incorrect API key provided: sk-live-42", Map.of()))) {
      try (var pipeline =
          EmbeddingPipeline.builder(openAi(server).apiKey(Secret.of("sk-live-42")).build())
              .executor(executor)
              .build()) {
        assertThatThrownBy(() -> pipeline.embed(List.of("a", "b")))
            .isInstanceOf(ProviderRejectedException.class)
            .hasMessageContaining("401")
            .hasMessageContaining("Incorrect API key provided")
            .hasMessageNotContaining("sk-live-42");
        assertThat(pipeline.config().toString()).doesNotContain("sk-live-42");
      }
      assertThat(server.requests).hasSize(1);
      assertThat(server.authorizations).containsExactly("Bearer sk-live-42");
    }
  }

  @Test
  void aCallersBadInputFailsOnlyThatCallerWhenBatchesAreShared() throws Exception {
    try (var server =
        new ScriptedProvider(
            (n, inputs) ->
                inputs.stream().anyMatch(t -> t.contains("poison"))
                    ? ScriptedProvider.error(400, "invalid input", Map.of())
                    : ScriptedProvider.ok(inputs))) {
      try (var pipeline =
          EmbeddingPipeline.builder(
                  openAi(server).maxWait(Duration.ofMillis(300)).maxConcurrency(1).build())
              .executor(executor)
              .build()) {
        var a =
            CompletableFuture.supplyAsync(() -> pipeline.embed(List.of("ok1", "poison")), executor);
        var b =
            CompletableFuture.supplyAsync(() -> pipeline.embed(List.of("ok2", "ok3")), executor);
        assertThat(b.get(10, TimeUnit.SECONDS))
            .containsExactly(ScriptedProvider.vectorFor("ok2"), ScriptedProvider.vectorFor("ok3"));
        assertThatThrownBy(() -> a.get(10, TimeUnit.SECONDS))
            .hasCauseInstanceOf(ProviderRejectedException.class);
      }
      // First request held both callers' texts; then the halves, then the rejected half's texts
      // each alone (isolation bisects down to the bad text).
      assertThat(server.requests.getFirst()).hasSize(4);
      assertThat(server.requests.subList(1, server.requests.size()))
          .containsExactlyInAnyOrder(
              List.of("ok1", "poison"), List.of("ok2", "ok3"), List.of("ok1"), List.of("poison"));
    }
  }

  @Test
  void persistentServerErrorsGiveUpAfterMaxAttemptsWithTheLastFailureAsCause() throws Exception {
    try (var server =
        new ScriptedProvider((n, inputs) -> ScriptedProvider.error(502, "bad gateway", Map.of()))) {
      var clock = new FakeClock();
      try (var pipeline =
          EmbeddingPipeline.builder(openAi(server).maxAttempts(3).build())
              .executor(executor)
              .clock(clock)
              .sleeper(new RecordingSleeper(clock))
              .build()) {
        assertThatThrownBy(() -> pipeline.embed(List.of("x")))
            .isInstanceOf(DeadlineExceededException.class)
            .hasMessageContaining("3 failed attempts")
            .hasMessageContaining("502");
        assertThat(pipeline.stats().failures()).isEqualTo(1);
      }
      assertThat(server.requests).hasSize(3);
    }
  }

  @Test
  void theDeadlineStopsRetriesEvenWhenAttemptsRemain() throws Exception {
    try (var server =
        new ScriptedProvider(
            (n, inputs) -> ScriptedProvider.error(429, "busy", Map.of("Retry-After", "40")))) {
      var clock = new FakeClock();
      try (var pipeline =
          EmbeddingPipeline.builder(openAi(server).deadline(Duration.ofSeconds(100)).build())
              .executor(executor)
              .clock(clock)
              .sleeper(new RecordingSleeper(clock))
              .build()) {
        assertThatThrownBy(() -> pipeline.embed(List.of("x")))
            .isInstanceOf(DeadlineExceededException.class)
            .hasMessageContaining("deadline");
      }
      assertThat(server.requests).hasSize(3); // t=0, 40, 80; the next at 120 would pass 100
    }
  }

  @Test
  void dimensionIsLearnedFromAProbeWhenNotConfigured() throws Exception {
    try (var server = new ScriptedProvider((n, inputs) -> ScriptedProvider.ok(inputs))) {
      try (var pipeline =
          EmbeddingPipeline.builder(openAi(server).build()).executor(executor).build()) {
        ModelInfo info = pipeline.info();
        assertThat(info.id()).isEqualTo("openai:m");
        assertThat(info.dimension()).isEqualTo(3);
        assertThat(info.maxTokens()).isEqualTo(EmbeddingConfig.DEFAULT_MAX_INPUT_TOKENS);
        pipeline.info();
      }
      assertThat(server.requests).containsExactly(List.of(EmbeddingPipeline.PROBE_TEXT));
    }
  }

  @Test
  void configuredDimensionIsKnownWithoutAnyRequest() throws Exception {
    try (var server = new ScriptedProvider((n, inputs) -> ScriptedProvider.ok(inputs))) {
      try (var pipeline =
          EmbeddingPipeline.builder(openAi(server).dimensions(3).build())
              .executor(executor)
              .build()) {
        assertThat(pipeline.info().dimension()).isEqualTo(3);
      }
      assertThat(server.requests).isEmpty();
    }
  }

  @Test
  void localModelGetsCachingSingleFlightAndBatching() {
    var calls = new AtomicInteger();
    var seen = new ArrayList<String>();
    EmbeddingModel fake =
        new EmbeddingModel() {
          @Override
          public ModelInfo info() {
            return new ModelInfo("fake/local", 3, 128);
          }

          @Override
          public List<float[]> embed(List<String> texts) {
            calls.incrementAndGet();
            synchronized (seen) {
              seen.addAll(texts);
            }
            return texts.stream().map(ScriptedProvider::vectorFor).toList();
          }
        };
    try (var pipeline =
        EmbeddingPipeline.builder(EmbeddingConfig.builder().maxWait(Duration.ofMillis(1)).build())
            .localModel(fake)
            .executor(executor)
            .build()) {
      assertThat(pipeline.info()).isEqualTo(new ModelInfo("fake/local", 3, 128));
      var first = pipeline.embed(List.of("a", "b", "a", " b "));
      assertThat(first).hasSize(4);
      assertThat(first.get(0)).containsExactly(ScriptedProvider.vectorFor("a"));
      assertThat(first.get(3)).containsExactly(ScriptedProvider.vectorFor("b"));
      pipeline.embed(List.of("b", "a"));
      assertThat(seen).containsExactlyInAnyOrder("a", "b");
      assertThat(pipeline.stats().cacheHits()).isEqualTo(2);
    }
  }

  /** A 3-d local model that answers through {@code embed}. */
  private static EmbeddingModel localModel(
      java.util.function.Function<List<String>, List<float[]>> embed) {
    return new EmbeddingModel() {
      @Override
      public ModelInfo info() {
        return new ModelInfo("fake/local", 3, 128);
      }

      @Override
      public List<float[]> embed(List<String> texts) {
        return embed.apply(texts);
      }
    };
  }

  private EmbeddingPipeline localPipeline(EmbeddingModel model, SimpleMeterRegistry registry) {
    return EmbeddingPipeline.builder(
            EmbeddingConfig.builder().maxWait(Duration.ofMillis(1)).build())
        .localModel(model)
        .executor(executor)
        .meterRegistry(registry)
        .build();
  }

  @Test
  void aLocalModelFailureIsANonRetryableLocalModelExceptionCausedByTheModelsOwn() {
    var boom = new IllegalStateException("ONNX Runtime failed");
    try (var pipeline =
        localPipeline(
            localModel(
                texts -> {
                  throw boom;
                }),
            new SimpleMeterRegistry())) {
      assertThatThrownBy(() -> pipeline.embed(List.of("a", "b")))
          .isInstanceOf(LocalModelException.class)
          .hasMessageContaining("ONNX Runtime failed")
          .hasCause(boom)
          .satisfies(e -> assertThat(((EmbeddingException) e).retryable()).isFalse());
      assertThat(pipeline.stats().failures()).isEqualTo(2);
    }
  }

  @Test
  void aLocalModelAnsweringWithAnImmutableListIsAccepted() {
    try (var pipeline =
        localPipeline(
            localModel(
                texts -> List.copyOf(texts.stream().map(ScriptedProvider::vectorFor).toList())),
            new SimpleMeterRegistry())) {
      assertThat(pipeline.embed(List.of("a", "b")))
          .containsExactly(ScriptedProvider.vectorFor("a"), ScriptedProvider.vectorFor("b"));
    }
  }

  @Test
  void aLocalModelAnsweringWithTooFewVectorsIsAMalformedResponse() {
    try (var pipeline =
        localPipeline(
            localModel(texts -> texts.stream().skip(1).map(ScriptedProvider::vectorFor).toList()),
            new SimpleMeterRegistry())) {
      assertThatThrownBy(() -> pipeline.embed(List.of("a", "b")))
          .isInstanceOf(MalformedResponseException.class)
          .hasMessageContaining("1 vectors")
          .hasMessageContaining("2 texts");
    }
  }

  @Test
  void aFailedDispatcherFailsItsBatchInTheTaxonomyAndRefusesLaterCalls() throws Exception {
    var registry = new FailingQueueWaitRegistry();
    try (var pipeline =
        localPipeline(
            localModel(texts -> texts.stream().map(ScriptedProvider::vectorFor).toList()),
            registry)) {
      var first = CompletableFuture.supplyAsync(() -> pipeline.embed(List.of("a")), executor);
      assertThatThrownBy(() -> first.get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(EmbeddingCancelledException.class)
          .hasRootCauseMessage("queue.wait cannot be recorded");
      assertThatThrownBy(() -> pipeline.embed(List.of("b")))
          .isInstanceOf(EmbeddingCancelledException.class)
          .hasMessageContaining("dispatcher failed");
    }
  }

  /**
   * A registry whose {@code queue.wait} timer throws, which kills the dispatcher that records it.
   */
  private static final class FailingQueueWaitRegistry extends SimpleMeterRegistry {
    @Override
    protected Timer newTimer(
        Meter.Id id, DistributionStatisticConfig config, PauseDetector pauseDetector) {
      if (!id.getName().equals("ragtime.embedding.queue.wait")) {
        return super.newTimer(id, config, pauseDetector);
      }
      return new CumulativeTimer(id, clock, config, pauseDetector, TimeUnit.SECONDS) {
        @Override
        protected void recordNonNegative(long amount, TimeUnit unit) {
          throw new IllegalStateException("queue.wait cannot be recorded");
        }
      };
    }
  }

  @Test
  void closedPipelineRefusesCalls() throws Exception {
    try (var server = new ScriptedProvider((n, inputs) -> ScriptedProvider.ok(inputs))) {
      var pipeline = EmbeddingPipeline.builder(openAi(server).build()).executor(executor).build();
      pipeline.close();
      pipeline.close();
      assertThatThrownBy(() -> pipeline.embed(List.of("x")))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed");
    }
  }

  @Test
  void blankTextsAreRefusedForRemoteProvidersNamingTheIndex() throws Exception {
    try (var server = new ScriptedProvider((n, inputs) -> ScriptedProvider.ok(inputs));
        var pipeline =
            EmbeddingPipeline.builder(openAi(server).build()).executor(executor).build()) {
      assertThatThrownBy(() -> pipeline.embed(List.of("x", "  ")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("index 1");
    }
  }

  @Test
  void aCachedVectorOfAnotherDimensionIsOneMissAndIsNeverReturned(@TempDir Path dataDir)
      throws Exception {
    Path cacheDir = dataDir.resolve("embedding-cache");
    try (var threeD = new ScriptedProvider((n, inputs) -> ScriptedProvider.ok(inputs, 3));
        var first =
            EmbeddingPipeline.builder(openAi(threeD).build())
                .executor(executor)
                .cacheDirectory(cacheDir)
                .build()) {
      assertThat(first.embed(List.of("a")).getFirst()).hasSize(3);
    }
    // The server behind the same model name now answers with 4 dimensions.
    try (var fourD = new ScriptedProvider((n, inputs) -> ScriptedProvider.ok(inputs, 4))) {
      var registry = new SimpleMeterRegistry();
      try (var second =
          EmbeddingPipeline.builder(openAi(fourD).build())
              .executor(executor)
              .cacheDirectory(cacheDir)
              .meterRegistry(registry)
              .build()) {
        assertThat(second.embed(List.of("b")).getFirst()).hasSize(4); // learns 4 dimensions

        assertThat(second.embed(List.of("a")).getFirst())
            .containsExactly(ScriptedProvider.vectorFor("a", 4));

        assertThat(cacheRequests(registry, "hit")).isZero();
        assertThat(cacheRequests(registry, "miss")).isEqualTo(2);
        assertThat(second.stats().cacheHits()).isZero();
        // The replacement overwrote the stale vector: now a hit.
        assertThat(second.embed(List.of("a")).getFirst()).hasSize(4);
        assertThat(cacheRequests(registry, "hit")).isEqualTo(1);
      }
      assertThat(fourD.requests).containsExactly(List.of("b"), List.of("a"));
    }
  }

  @Test
  void changingMaxInputTokensNeverServesTheVectorOfTheOldTruncation(@TempDir Path dataDir)
      throws Exception {
    Path cacheDir = dataDir.resolve("embedding-cache");
    String overlong = "word ".repeat(200).strip();
    try (var server = new ScriptedProvider((n, inputs) -> ScriptedProvider.ok(inputs))) {
      var vectors = new ArrayList<float[]>();
      for (int maxInputTokens : new int[] {10, 20, 10}) {
        try (var pipeline =
            EmbeddingPipeline.builder(openAi(server).maxInputTokens(maxInputTokens).build())
                .executor(executor)
                .cacheDirectory(cacheDir)
                .build()) {
          vectors.add(pipeline.embed(List.of(overlong)).getFirst());
        }
      }
      // 10 and then 20 tokens each needed a request; back at 10, the first truncation is cached.
      assertThat(server.requests).hasSize(2);
      String cutAt10 = server.requests.get(0).getFirst();
      String cutAt20 = server.requests.get(1).getFirst();
      assertThat(TokenCounter.approximate().count(cutAt10)).isLessThanOrEqualTo(10);
      assertThat(TokenCounter.approximate().count(cutAt20)).isBetween(11, 20);
      assertThat(vectors.get(0)).containsExactly(ScriptedProvider.vectorFor(cutAt10));
      assertThat(vectors.get(1)).containsExactly(ScriptedProvider.vectorFor(cutAt20));
      assertThat(vectors.get(2)).containsExactly(ScriptedProvider.vectorFor(cutAt10));
    }
  }

  private static double cacheRequests(SimpleMeterRegistry registry, String result) {
    return registry
        .find("ragtime.embedding.cache.requests")
        .tag("result", result)
        .counters()
        .stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  @Test
  void unitVectorsPassThroughUnchangedOthersAreNormalised() {
    float[] unit = {0.6f, 0.8f};
    assertThat(EmbeddingPipeline.unit(unit)).isSameAs(unit);
    assertThat(EmbeddingPipeline.unit(new float[] {3, 4})).containsExactly(0.6f, 0.8f);
  }
}
