package dev.ragtime.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ragtime.provider.EmbeddingCancelledException;
import dev.ragtime.provider.InputTooLongException;
import dev.ragtime.simulator.Faults;
import dev.ragtime.simulator.ProviderSimulator;
import dev.ragtime.simulator.SimulatorConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline against the provider simulator: real HTTP, real limits, injected faults. */
class EmbeddingPipelineSimulatorTest {
  private static final String MODEL = "sim-model";
  private static final int DIM = 32;

  @RegisterExtension static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

  private final ExecutorService executor =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("embed-sim-", 0).factory());
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : toClose.reversed()) {
      c.close();
    }
    executor.close();
  }

  private ProviderSimulator sim(SimulatorConfig.Builder config) {
    var sim = ProviderSimulator.start(config.dimension(DIM).build());
    toClose.add(sim);
    return sim;
  }

  private static SimulatorConfig.Builder simConfig() {
    return SimulatorConfig.builder().model(MODEL);
  }

  private static EmbeddingConfig.Builder config(URI base) {
    return EmbeddingConfig.builder()
        .provider(EmbeddingConfig.Provider.OPENAI)
        .baseUrl(base)
        .model(MODEL)
        .maxWait(Duration.ofMillis(2))
        .timeout(Duration.ofSeconds(10));
  }

  private EmbeddingPipeline pipeline(EmbeddingConfig config) {
    var p = EmbeddingPipeline.builder(config).executor(executor).build();
    toClose.add(p);
    return p;
  }

  private static List<String> texts(String prefix, int n) {
    var list = new ArrayList<String>(n);
    for (int i = 0; i < n; i++) {
      list.add(prefix + " text number " + i + " about " + (i * 7919 % 1000));
    }
    return list;
  }

  private static void assertExact(List<String> texts, List<float[]> vectors) {
    assertThat(vectors).hasSameSizeAs(texts);
    for (int i = 0; i < texts.size(); i++) {
      assertThat(vectors.get(i))
          .as("vector of %s", texts.get(i))
          .containsExactly(ProviderSimulator.expectedVector(MODEL, texts.get(i), DIM));
    }
  }

  /** Runs {@code callers} concurrent embed calls over disjoint slices and checks every vector. */
  private void embedConcurrently(EmbeddingPipeline p, List<String> all, int callers)
      throws Exception {
    var futures = new ArrayList<CompletableFuture<List<float[]>>>();
    int slice = (all.size() + callers - 1) / callers;
    for (int c = 0; c < callers; c++) {
      List<String> part = all.subList(c * slice, Math.min(all.size(), (c + 1) * slice));
      futures.add(CompletableFuture.supplyAsync(() -> p.embed(part), executor));
    }
    for (int c = 0; c < callers; c++) {
      List<String> part = all.subList(c * slice, Math.min(all.size(), (c + 1) * slice));
      assertExact(part, futures.get(c).get(60, TimeUnit.SECONDS));
    }
  }

  @Test
  void thousandsOfTextsUnderInjectedFaultsAreNeitherLostNorDuplicated() throws Exception {
    var sim =
        sim(
            simConfig()
                .faults(
                    Faults.builder()
                        .http500Probability(0.02)
                        .http502Probability(0.015)
                        .http503Probability(0.015)
                        .resetProbability(0.01)
                        .build()));
    var p = pipeline(config(sim.baseUri()).maxBatch(16).maxConcurrency(8).build());
    List<String> all = texts("faulty", 3_000);

    embedConcurrently(p, all, 6);

    for (String t : all) {
      assertThat(sim.counters().timesEmbedded(t)).as("server-side count of %s", t).isEqualTo(1);
    }
    assertThat(sim.counters().distinctTextsEmbedded()).isEqualTo(3_000);
    assertThat(sim.counters().faultsInjected()).isPositive();
    PipelineStats stats = p.stats();
    assertThat(stats.embeddedTexts()).isEqualTo(3_000);
    assertThat(stats.failures()).isZero();
    assertThat(stats.retries()).isPositive();
    assertThat(stats.inFlight()).isZero();
  }

  @Test
  void recoversFromA429StormByWaitingAsTold() throws Exception {
    var sim = sim(simConfig());
    // One request at a time, so the count of 429s shows whether the pipeline waited as told.
    var p = pipeline(config(sim.baseUri()).maxBatch(8).maxConcurrency(1).build());
    sim.storm429(Duration.ofSeconds(5));
    List<String> all = texts("storm", 200);

    embedConcurrently(p, all, 4);

    // Every 429 carries Retry-After for the rest of the storm and the pipeline sends nothing until
    // then: one 429, or two or three if other batches left while the first answer was being
    // handled. A pipeline that ignored Retry-After would retry on its own back-off (full jitter
    // under 0.2, 0.4, 0.8, 1.6 s: four retries within 3 s) and draw at least five.
    long tooMany = sim.counters().responses(429);
    assertThat(tooMany).isBetween(1L, 3L);
    assertThat(p.stats().rateLimited()).isEqualTo(tooMany);
    assertThat(p.stats().failures()).isZero();
    for (String t : all) {
      assertThat(sim.counters().timesEmbedded(t)).isEqualTo(1);
    }
  }

  @Test
  void failsOverToTheFallbackWhenThePrimaryIsDown() throws Exception {
    var primary = sim(simConfig());
    var fallback = sim(simConfig());
    primary.setDown(true);
    var p =
        pipeline(
            config(primary.baseUri())
                .fallbackUrls(List.of(fallback.baseUri()))
                .maxBatch(10)
                .build());
    List<String> all = texts("failover", 300);

    embedConcurrently(p, all, 3);

    assertThat(primary.counters().inputsEmbedded()).isZero();
    assertThat(fallback.counters().distinctTextsEmbedded()).isEqualTo(300);
    assertThat(p.stats().failovers()).isPositive();
    assertThat(p.stats().failures()).isZero();
  }

  @Test
  void failsOverWhenThePrimaryRefusesConnections() throws Exception {
    var fallback = sim(simConfig());
    URI dead;
    try (var gone = ProviderSimulator.start(simConfig().dimension(DIM).build())) {
      dead = gone.baseUri();
    }
    var p = pipeline(config(dead).fallbackUrls(List.of(fallback.baseUri())).build());
    List<String> all = texts("refused", 50);
    assertExact(all, p.embed(all));
  }

  @Test
  void aBatchTheProviderFindsTooLargeIsSplitNotDropped() throws Exception {
    var sim = sim(simConfig().maxInputsPerRequest(5));
    var p = pipeline(config(sim.baseUri()).maxBatch(32).build());
    List<String> all = texts("split", 100);

    assertExact(all, p.embed(all));

    assertThat(p.stats().splits()).isPositive();
    assertThat(sim.counters().responses(400)).isPositive();
    for (String t : all) {
      assertThat(sim.counters().timesEmbedded(t)).isEqualTo(1);
    }
    // It learned: after the first splits, batches are sent at a size the provider accepts.
    long rejectedBefore = sim.counters().responses(400);
    assertExact(texts("after", 40), p.embed(texts("after", 40)));
    assertThat(sim.counters().responses(400)).isEqualTo(rejectedBefore);
  }

  @Test
  void anOverlongInputFailsOnlyItsOwnCaller() throws Exception {
    var sim = sim(simConfig().maxTokensPerInput(40));
    var p =
        pipeline(config(sim.baseUri()).maxWait(Duration.ofMillis(200)).maxConcurrency(1).build());
    String overlong = "word ".repeat(300).strip();
    var bad =
        CompletableFuture.supplyAsync(() -> p.embed(List.of("short one", overlong)), executor);
    List<String> good = texts("innocent", 10);
    var fine = CompletableFuture.supplyAsync(() -> p.embed(good), executor);

    assertExact(good, fine.get(30, TimeUnit.SECONDS));
    assertThatThrownBy(() -> bad.get(30, TimeUnit.SECONDS))
        .hasCauseInstanceOf(InputTooLongException.class)
        .hasMessageContaining("maximum context length");
  }

  @Test
  void pacedToTheRateLimitItDrawsAlmostNo429s() throws Exception {
    var sim = sim(simConfig().requestsPerMinute(1_200)); // 20 per second, 1 s burst window
    var p = pipeline(config(sim.baseUri()).rpm(1_200).maxBatch(1).maxConcurrency(8).build());
    List<String> all = texts("paced", 60);

    embedConcurrently(p, all, 6);

    assertThat(sim.counters().responses(429)).isLessThanOrEqualTo(1);
    assertThat(p.stats().requests()).isLessThanOrEqualTo(61);
  }

  @Test
  void unchangedTextIsNeverSentAgainAfterARestart(@TempDir Path dataDir) throws Exception {
    var sim = sim(simConfig());
    List<String> all = texts("persisted", 120);
    Path cacheDir = dataDir.resolve("embedding-cache");
    try (var first =
        EmbeddingPipeline.builder(config(sim.baseUri()).build())
            .executor(executor)
            .cacheDirectory(cacheDir)
            .build()) {
      assertExact(all, first.embed(all));
    }
    long requests = sim.counters().requestsReceived();

    try (var second =
        EmbeddingPipeline.builder(config(sim.baseUri()).build())
            .executor(executor)
            .cacheDirectory(cacheDir)
            .build()) {
      assertExact(all, second.embed(all));
      assertThat(second.stats().cacheHits()).isEqualTo(120);
      assertThat(second.stats().requests()).isZero();
    }
    assertThat(sim.counters().requestsReceived()).isEqualTo(requests);
  }

  @Test
  void identicalTextsInFlightTogetherAreEmbeddedOnce() throws Exception {
    var sim = sim(simConfig().baseLatency(Duration.ofMillis(80)));
    var p = pipeline(config(sim.baseUri()).maxBatch(8).build());
    List<String> shared = texts("shared", 24);
    var futures = new ArrayList<CompletableFuture<List<float[]>>>();
    for (int c = 0; c < 8; c++) {
      futures.add(CompletableFuture.supplyAsync(() -> p.embed(shared), executor));
    }
    for (var f : futures) {
      assertExact(shared, f.get(30, TimeUnit.SECONDS));
    }
    for (String t : shared) {
      assertThat(sim.counters().timesEmbedded(t)).isEqualTo(1);
    }
    assertThat(p.stats().coalesced() + p.stats().cacheHits()).isEqualTo(7L * 24);
  }

  @Test
  void interruptingACallerCancelsItAndCloseLeavesNoThreadRunning() throws Exception {
    var sim = sim(simConfig().baseLatency(Duration.ofSeconds(30)));
    var threads =
        Executors.newThreadPerTaskExecutor(Thread.ofPlatform().name("leakcheck-", 0).factory());
    var p =
        EmbeddingPipeline.builder(config(sim.baseUri()).timeout(Duration.ofSeconds(60)).build())
            .executor(threads)
            .drainTimeout(Duration.ofMillis(300))
            .build();
    var thrown = new AtomicReference<Throwable>();
    var flagKept = new AtomicBoolean();
    Thread caller =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    p.embed(List.of("never answered"));
                  } catch (RuntimeException e) {
                    thrown.set(e);
                    flagKept.set(Thread.currentThread().isInterrupted());
                  }
                });
    // Interrupt once the request is on the wire (no sleep: poll the server's own count).
    while (sim.counters().requestsReceived() == 0 && caller.isAlive()) {
      TimeUnit.MILLISECONDS.sleep(5);
    }
    caller.interrupt();
    caller.join();
    assertThat(thrown.get()).isInstanceOf(EmbeddingCancelledException.class);
    assertThat(flagKept).isTrue();

    p.close();

    assertThat(liveThreads("leakcheck-")).isEmpty();
    assertThat(waitForNoThreads("HttpClient-")).isTrue();
    threads.close();
  }

  @Test
  void everyProviderCallHasASpanAndEveryStageHasMeters() throws Exception {
    var sim = sim(simConfig());
    var registry = new SimpleMeterRegistry();
    try (var p =
        EmbeddingPipeline.builder(config(sim.baseUri()).build())
            .executor(executor)
            .meterRegistry(registry)
            .tracer(OTEL.getOpenTelemetry().getTracer("test"))
            .build()) {
      p.embed(texts("observed", 5));
      p.embed(texts("observed", 5));
      assertThat(
              registry.find("ragtime.embedding.request.duration").tag("outcome", "success").timer())
          .isNotNull();
      for (String name :
          List.of(
              "ragtime.embedding.call.duration",
              "ragtime.embedding.cache.requests",
              "ragtime.embedding.batch.size",
              "ragtime.embedding.batch.tokens",
              "ragtime.embedding.queue.wait",
              "ragtime.embedding.queue.depth",
              "ragtime.embedding.requests.inflight",
              "ragtime.embedding.concurrency.limit",
              "ragtime.embedding.tokens",
              "ragtime.embedding.circuit.state")) {
        assertThat(registry.find(name).meters()).as(name).isNotEmpty();
      }
      assertThat(registry.find("ragtime.embedding.cache.requests").tag("result", "hit").counters())
          .anySatisfy(c -> assertThat(c.count()).isEqualTo(5));
    }
    assertThat(registry.find("ragtime.embedding.call.duration").meters()).isEmpty(); // removed
    var spans = OTEL.getSpans();
    assertThat(spans).hasSize(1);
    assertThat(spans.getFirst().getName()).isEqualTo("embeddings " + MODEL);
    assertThat(spans.getFirst().getAttributes().get(AttributeKey.stringKey("gen_ai.request.model")))
        .isEqualTo(MODEL);
    assertThat(
            spans.getFirst().getAttributes().get(AttributeKey.longKey("http.response.status_code")))
        .isEqualTo(200L);
  }

  @Test
  void oneConnectionPoolServesAllRequests() throws Exception {
    var sim = sim(simConfig());
    var p = pipeline(config(sim.baseUri()).maxBatch(4).maxConcurrency(4).build());
    embedConcurrently(p, texts("pooled", 400), 4);
    assertThat(p.stats().requests()).isGreaterThanOrEqualTo(100);
    assertThat(sim.counters().connectionsAccepted()).isLessThanOrEqualTo(8);
  }

  private static List<Thread> liveThreads(String prefix) throws InterruptedException {
    // Threads end asynchronously after close; poll generously (a bound for failing, not a bet).
    for (int i = 0; i < 1_500; i++) {
      var live =
          Thread.getAllStackTraces().keySet().stream()
              .filter(t -> t.getName().startsWith(prefix) && t.isAlive())
              .toList();
      if (live.isEmpty()) {
        return live;
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith(prefix) && t.isAlive())
        .toList();
  }

  private static boolean waitForNoThreads(String prefix) throws InterruptedException {
    return liveThreads(prefix).isEmpty();
  }
}
