package dev.ragtime.embed;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Every meter of the pipeline (names and meaning in {@code METRICS.md} beside this class) plus the
 * plain counters behind {@link PipelineStats}. All meters carry the tag {@code model}; meters are
 * removed from the registry when the pipeline closes.
 *
 * <p>Thread-safe.
 */
final class PipelineMetrics {
  static final String PREFIX = "ragtime.embedding.";

  private final MeterRegistry registry;
  private final Tags base;
  private final List<Meter> meters = new ArrayList<>();
  private final ConcurrentHashMap<String, Meter> dynamic = new ConcurrentHashMap<>();

  final LongAdder textsRequested = new LongAdder();
  final LongAdder cacheHits = new LongAdder();
  final LongAdder coalesced = new LongAdder();
  final LongAdder embeddedTexts = new LongAdder();
  final LongAdder requests = new LongAdder();
  final LongAdder rateLimited = new LongAdder();
  final LongAdder retries = new LongAdder();
  final LongAdder failures = new LongAdder();
  final LongAdder tokens = new LongAdder();
  final LongAdder splits = new LongAdder();
  final LongAdder failovers = new LongAdder();

  private final Timer callTimerSuccess;
  private final Timer callTimerFailure;
  private final Counter textsCounter;
  private final Counter memoryHits;
  private final Counter diskHits;
  private final Counter misses;
  private final Counter coalescedCounter;
  private final DistributionSummary batchSize;
  private final DistributionSummary batchTokens;
  private final Timer queueWait;
  private final Timer pacingDelay;
  private final Counter tokensCounter;
  private final Counter splitsCounter;

  PipelineMetrics(MeterRegistry registry, String modelId) {
    this.registry = registry;
    this.base = Tags.of("model", modelId);
    callTimerSuccess =
        timer("call.duration", "embed() call latency", Tags.of("outcome", "success"));
    callTimerFailure =
        timer("call.duration", "embed() call latency", Tags.of("outcome", "failure"));
    textsCounter = counter("texts", "texts passed to embed()", Tags.empty());
    memoryHits =
        counter("cache.requests", "cache lookups", Tags.of("result", "hit", "tier", "memory"));
    diskHits = counter("cache.requests", "cache lookups", Tags.of("result", "hit", "tier", "disk"));
    misses = counter("cache.requests", "cache lookups", Tags.of("result", "miss", "tier", "none"));
    coalescedCounter =
        counter(
            "singleflight.coalesced",
            "texts that joined an identical in-flight text",
            Tags.empty());
    batchSize =
        register(
            DistributionSummary.builder(PREFIX + "batch.size")
                .description("texts per provider request")
                .baseUnit("texts")
                .tags(base)
                .publishPercentiles(0.5, 0.95, 0.99)
                .publishPercentileHistogram()
                .register(registry));
    batchTokens =
        register(
            DistributionSummary.builder(PREFIX + "batch.tokens")
                .description("estimated input tokens per provider request")
                .baseUnit("tokens")
                .tags(base)
                .publishPercentiles(0.5, 0.95, 0.99)
                .publishPercentileHistogram()
                .register(registry));
    queueWait = timer("queue.wait", "time a text waited in the micro-batcher", Tags.empty());
    pacingDelay = timer("pacing.delay", "time a request waited for RPM/TPM pacing", Tags.empty());
    tokensCounter = counter("tokens", "input tokens in successful requests", Tags.empty());
    splitsCounter =
        counter("batch.splits", "batches split because the provider said too large", Tags.empty());
  }

  void gauge(String name, String description, Supplier<Number> value) {
    register(
        Gauge.builder(PREFIX + name, value).description(description).tags(base).register(registry));
  }

  <T> void gauge(String name, String description, Tags tags, T obj, ToDoubleFunction<T> f) {
    register(
        Gauge.builder(PREFIX + name, obj, f)
            .description(description)
            .tags(base.and(tags))
            .register(registry));
  }

  private Timer timer(String name, String description, Tags tags) {
    return register(
        Timer.builder(PREFIX + name)
            .description(description)
            .tags(base.and(tags))
            .publishPercentiles(0.5, 0.95, 0.99)
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofMinutes(2))
            .register(registry));
  }

  private Counter counter(String name, String description, Tags tags) {
    return register(
        Counter.builder(PREFIX + name)
            .description(description)
            .tags(base.and(tags))
            .register(registry));
  }

  private synchronized <M extends Meter> M register(M meter) {
    meters.add(meter);
    return meter;
  }

  // ---- recording ----

  void call(long nanos, boolean success, int texts) {
    (success ? callTimerSuccess : callTimerFailure).record(Duration.ofNanos(nanos));
    textsRequested.add(texts);
    textsCounter.increment(texts);
  }

  void cache(int memory, int disk, int missed) {
    memoryHits.increment(memory);
    diskHits.increment(disk);
    misses.increment(missed);
    cacheHits.add(memory + disk);
  }

  void coalesced(int n) {
    coalesced.add(n);
    coalescedCounter.increment(n);
  }

  void batch(int size, int estimatedTokens) {
    batchSize.record(size);
    batchTokens.record(estimatedTokens);
  }

  void queueWait(long nanos) {
    queueWait.record(Duration.ofNanos(nanos));
  }

  /**
   * Where a text's time went at the local model: {@code stage} is {@code dispatch} (from entering
   * its lane until its batch task started), {@code gate} (waiting for the model, e.g. behind a
   * passage slice) or {@code model} (the model call it was part of); {@code purpose} is {@code
   * query} or {@code document} (for documents the gate and model stages are per slice).
   */
  void localStage(String stage, EmbeddingModel.Purpose purpose, long nanos) {
    Timer t =
        (Timer)
            dynamic.computeIfAbsent(
                "local|" + stage + "|" + purpose,
                k ->
                    timer(
                        "local.stage",
                        "time spent at the local model, by stage and purpose",
                        Tags.of(
                            "stage", stage, "purpose", purpose.name().toLowerCase(Locale.ROOT))));
    t.record(Duration.ofNanos(nanos));
  }

  void pacing(Duration wait) {
    pacingDelay.record(wait);
  }

  /** One provider attempt finished; {@code outcome} is a low-cardinality word. */
  void request(String endpoint, String outcome, Duration latency) {
    requests.increment();
    Timer t =
        (Timer)
            dynamic.computeIfAbsent(
                "req|" + endpoint + "|" + outcome,
                k ->
                    register(
                        Timer.builder(PREFIX + "request.duration")
                            .description("provider request latency")
                            .tags(base.and("endpoint", endpoint, "outcome", outcome))
                            .publishPercentiles(0.5, 0.95, 0.99)
                            .publishPercentileHistogram()
                            .minimumExpectedValue(Duration.ofMillis(1))
                            .maximumExpectedValue(Duration.ofMinutes(2))
                            .register(registry)));
    t.record(latency);
    if ("rate_limited".equals(outcome)) {
      rateLimited.increment();
      counterFor("rate_limited", "HTTP 429 answers", Tags.of("endpoint", endpoint)).increment();
    }
  }

  void embedded(int texts, int tokenCount) {
    embeddedTexts.add(texts);
    tokens.add(tokenCount);
    tokensCounter.increment(tokenCount);
  }

  void retry(String reason) {
    retries.increment();
    counterFor("retries", "retried provider attempts", Tags.of("reason", reason)).increment();
  }

  void failed(int texts, Class<?> exception) {
    failures.add(texts);
    counterFor(
            "failures",
            "texts that failed permanently",
            Tags.of("exception", exception.getSimpleName()))
        .increment(texts);
  }

  /** A read or write of the disk cache tier failed ({@code op} = {@code read} | {@code write}). */
  void diskError(String op) {
    counterFor(
            "cache.disk.errors",
            "failed reads (served as misses) and writes (entries lost) of the disk cache tier",
            Tags.of("op", op))
        .increment();
  }

  void split() {
    splits.increment();
    splitsCounter.increment();
  }

  void failover(String endpoint) {
    failovers.increment();
    counterFor("failovers", "attempts sent to a fallback endpoint", Tags.of("endpoint", endpoint))
        .increment();
  }

  private Counter counterFor(String name, String description, Tags tags) {
    return (Counter)
        dynamic.computeIfAbsent(name + "|" + tags, k -> counter(name, description, tags));
  }

  /** Removes every meter this pipeline registered. */
  synchronized void close() {
    for (Meter m : meters) {
      registry.remove(m);
    }
    meters.clear();
  }
}
