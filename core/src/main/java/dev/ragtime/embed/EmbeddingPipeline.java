package dev.ragtime.embed;

import dev.ragtime.chunk.TokenCounter;
import dev.ragtime.provider.EmbeddingCancelledException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Design note: how a text flows through the pipeline, and why.
 *
 *   embed(texts, purpose)
 *      ─► InputPreparer: normalise (NFC + strip), truncate (OpenAI only) and key (SHA-256 of the
 *         model's namespace, "|query" for queries, NUL, and the text exactly as it will be sent;
 *         remote namespace "<provider>:<model>|dims=<n|native>", local ModelInfo.fingerprint())
 *      ─► VectorCache: memory (Caffeine), then vectors waiting to be written, then the persistent
 *         tier (PersistentVectorCache: Lucene per model on disk, or a shared database)  hit → done
 *      ─► SingleFlight: an identical text already in flight?               yes → wait on it
 *         (then a late cache check closes the race with a batch that delivered meanwhile)
 *      ─► Dispatcher: the bulk lane for passages, the query lane for queries (MicroBatcher each,
 *         bounded; the caller blocks when full = backpressure)
 *   lanes  ─► bulk: take a concurrency permit (adaptive AIMD limit), then a batch of up to maxBatch
 *              texts and maxBatchTokens tokens, lingering at most maxWait for it to fill (while the
 *              provider orders a hold, or the disk tier lags PENDING_LIMIT writes behind, no batch
 *              is formed); query: its own permits (2), no linger, no hold or disk-tier check here
 *          ─► one executor task per batch: RemoteSender (pace RPM/TPM → pick endpoint whose breaker
 *             admits → send → retry / split / isolate / cut / fail over, as AttemptPolicy decides;
 *             built by RemoteStack) or LocalSender (in slices through the ModelGate, where a
 *             waiting query goes before the next passage slice)
 *          ─► Delivery: check the dimension (ModelIdentity: one read off the cache is provisional
 *             until the first fresh response), cache (memory now, disk written behind), complete
 *   embed  ◄─ every future of the call completes (or the first failure is thrown)
 *
 * Why this order. The cache comes first because the cheapest request is the one never sent, and
 * content addressing makes re-ingesting unchanged text free. Single-flight sits before the queue
 * so duplicate texts (within a call or across concurrent calls) cost one slot in a batch. The bulk
 * lane acquires the concurrency permit *before* forming a batch, so while the provider is
 * saturated texts pile up and batches leave full; when it is idle a batch leaves after maxWait.
 * Queries have a lane of their own so that search latency does not depend on ingestion.
 * Pacing happens per attempt (retries spend quota too) with buckets that start almost empty, and
 * no wait may take a batch past its deadline. Failures are isolated as narrowly as the information
 * allows: a too-large batch is halved (and the learned batch limit lowered), a batch with an
 * input-specific rejection is halved until the bad text is alone (a single over-long text may be cut
 * shorter, OpenAI only), a failed batch of the local model is retried per caller, and only the texts
 * that truly fail are failed. No disk I/O happens on a caller's path except the cache lookup, and a
 * failing disk tier is a miss. Callers block on plain futures (virtual threads make
 * that cheap); every loop and task runs on the executor the composition root hands in, except the
 * local model's calls, which run on one platform thread of the pipeline's own (ModelThread), so a
 * native call does not pin a virtual thread's carrier.
 */

/**
 * The embedding service: an {@link EmbeddingModel} that puts caching, single-flight,
 * micro-batching, rate pacing, adaptive concurrency, retries, batch splitting, circuit breaking and
 * same-model failover in front of a remote provider (OpenAI-compatible, Ollama, TEI) or, for the
 * {@code local} provider, in front of an in-process model (where only caching, single-flight,
 * batching, the concurrency bound and metrics apply). A small facade over its parts: {@link
 * InputPreparer}, {@link VectorCache}, {@link SingleFlight}, {@link Dispatcher} (a bulk and a query
 * lane), {@link Delivery}, {@link ModelIdentity}, and the remote stack ({@link RemoteStack}) or
 * {@link LocalSender} with its {@link ModelGate}.
 *
 * <p>Contract: {@link #embed} returns one vector per input in input order, each the vector the
 * provider returned for that text as sent (normalised, and cut to {@code maxInputTokens} for the
 * OpenAI-compatible provider; if the provider still calls that text too long, for a cut of it: up
 * to three cuts to 3/4 of its code points, and the vector is cached under the text as sent, not the
 * cut), re-normalised to unit length only if the provider's was not already (within 1e-3); or it
 * throws an {@link dev.ragtime.provider.EmbeddingException} (see that class for the taxonomy). A
 * call blocks until all its vectors are ready; interrupting the caller makes it throw {@link
 * EmbeddingCancelledException} with the interrupt flag set. Texts are normalised with Unicode NFC
 * and stripped of leading and trailing white space before they are embedded; blank texts are
 * rejected for remote providers (they refuse empty input).
 *
 * <p>Queries ({@link #embedQuery}, or {@link #embed(List, Purpose)} with {@link Purpose#QUERY}) go
 * through a lane of their own: they never wait behind passages being ingested, and one query alone
 * does not wait the batching window. Their cache keys differ from the same text's as a passage.
 *
 * <p>Thread-safe; meant to be shared by every caller of one model. Must be closed: {@link #close()}
 * refuses new calls, lets queued and in-flight work finish (bounded by the drain timeout), closes
 * the HTTP client, and gives the persistent cache max(drain timeout, 5 s) to write what is pending
 * and commit (entries still pending then are dropped with a warning). The local model passed in is
 * not closed.
 *
 * {@snippet :
 * try (var executor = Executors.newThreadPerTaskExecutor(
 *         Thread.ofVirtual().name("embed-", 0).factory());
 *     var pipeline = EmbeddingPipeline.builder(config)
 *         .executor(executor)
 *         .cacheDirectory(dataDir.resolve("embedding-cache"))
 *         .meterRegistry(registry)
 *         .build()) {
 *   List<float[]> vectors = pipeline.embed(List.of("hello", "world"));
 *   float[] query = pipeline.embedQuery("greetings");
 * }
 * }
 */
public final class EmbeddingPipeline implements EmbeddingModel {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddingPipeline.class);

  /** Text embedded to learn a remote model's dimension when it is not configured. */
  static final String PROBE_TEXT = "ragtime dimension probe";

  /** How long {@link #close()} waits for queued and in-flight batches unless the builder says. */
  static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

  /** The least time {@link #close()} gives the disk-cache writer, whatever the drain timeout. */
  static final Duration MIN_CACHE_CLOSE = Duration.ofSeconds(5);

  private final EmbeddingConfig config;
  private final ModelIdentity identity;
  private final InputPreparer inputs;
  private final VectorCache cache;
  private final SingleFlight flights = new SingleFlight();
  private final Dispatcher dispatcher;
  private final AdaptiveLimiter limiter;
  private final Optional<RemoteStack> remote;
  private final ModelThread modelThread = new ModelThread(); // no thread until the local model runs
  private final PipelineMetrics metrics;
  private final Duration drainTimeout;
  private final AtomicLong callSequence = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();

  private EmbeddingPipeline(Builder b) {
    this.config = b.config;
    this.drainTimeout = b.drainTimeout;
    boolean isRemote = config.provider() != EmbeddingConfig.Provider.LOCAL;
    String namespace;
    if (isRemote) {
      String modelId = config.remoteModelId();
      // Unchanged since the first release, so existing caches stay valid: the model and its
      // output size; truncation (OpenAI) is in the key, as the text sent is.
      namespace =
          modelId
              + "|dims="
              + (config.dimensions().isPresent()
                  ? Integer.toString(config.dimensions().getAsInt())
                  : "native");
      identity = new ModelIdentity(modelId, config.maxInputTokens(), config.dimensions());
    } else {
      if (b.localModel == null) {
        throw new IllegalArgumentException(
            "provider is local but no local model was given to the pipeline");
      }
      ModelInfo li = b.localModel.info();
      // Everything that changes a local vector, truncation included.
      namespace = li.fingerprint();
      identity = new ModelIdentity(li);
    }
    this.inputs = new InputPreparer(namespace, config, b.tokenCounter);
    this.metrics = new PipelineMetrics(b.meterRegistry, identity.modelId());
    this.cache =
        new VectorCache(
            config.cacheMemoryBytes(),
            b.diskStore != null
                ? Optional.of(b.diskStore)
                : openPersistent(b.persistentCache, namespace),
            b.executor,
            metrics);
    // Start at the configured bound, as a fixed pool of that size would, and let 429s, overload
    // and timeouts shrink it: starting lower and growing additively cost about a second of half
    // capacity per run at typical provider latencies (bench/, docs/BENCHMARKS.md).
    int initialLimit = config.maxConcurrency();
    this.limiter =
        new AdaptiveLimiter(
            new AimdLimit(
                initialLimit,
                config.maxConcurrency(),
                AimdLimit.DEFAULT_BACKOFF_RATIO,
                config.timeout().dividedBy(2)));
    AdaptiveLimiter queryLimiter = Dispatcher.queryLaneLimiter(config);
    var batchLimit = new BatchLimit(config.maxBatch());
    var delivery = new Delivery(flights, cache, identity, metrics);
    Optional<RemoteStack> stack =
        isRemote
            ? Optional.of(
                RemoteStack.create(
                    config,
                    b.executor,
                    b.tracer,
                    b.clock,
                    b.sleeper,
                    b.random,
                    limiter,
                    delivery,
                    metrics,
                    batchLimit))
            : Optional.empty();
    this.remote = stack;
    this.dispatcher =
        new Dispatcher(
            config,
            limiter,
            queryLimiter,
            stack.map(RemoteStack::pacer),
            cache,
            batchLimit::current,
            b.executor,
            b.sleeper,
            metrics,
            delivery);
    BatchSender sender =
        stack
            .map(RemoteStack::sender)
            .orElseGet(
                () ->
                    new LocalSender(
                        b.localModel,
                        limiter,
                        queryLimiter,
                        b.modelGate,
                        modelThread,
                        dispatcher::open,
                        delivery,
                        metrics));
    metrics.gauge("requests.inflight", "provider requests in flight", limiter::inFlight);
    metrics.gauge("concurrency.limit", "adaptive concurrency limit", limiter::limit);
    metrics.gauge("queue.depth", "texts waiting in the micro-batcher", dispatcher::queued);
    metrics.gauge("cache.memory.entries", "vectors in the memory cache", cache::memoryEntries);
    metrics.gauge(
        "cache.disk.pending", "vectors waiting to be written to disk", cache::pendingWrites);
    try {
      dispatcher.start(sender);
    } catch (RejectedExecutionException e) {
      dispatcher.close(Duration.ZERO);
      closeResources();
      throw new IllegalArgumentException("the executor refused the dispatcher task", e);
    }
  }

  private Optional<PersistentVectorCache> openPersistent(
      Optional<PersistentVectorCache.Opener> opener, String namespace) {
    if (opener.isEmpty() || !config.cachePersistent()) {
      return Optional.empty();
    }
    try {
      return Optional.of(opener.get().open(identity.modelId(), namespace));
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "persistent embedding cache of {} is unavailable ({}); continuing with the memory cache"
              + " only",
          identity.modelId(),
          e.toString());
      return Optional.empty();
    }
  }

  /** A builder for a pipeline with {@code config}. */
  public static Builder builder(EmbeddingConfig config) {
    return new Builder(config);
  }

  /** The configuration this pipeline runs with (safe to log: the API key is redacted). */
  public EmbeddingConfig config() {
    return config;
  }

  /**
   * The model's identity. For a remote provider without configured dimensions the dimension is
   * learned from the first response; if none has arrived yet this embeds one short probe text
   * (which is cached, so it costs one request once per model and cache directory). A dimension read
   * off a cached probe is checked against the first fresh response, which wins if they differ (the
   * model behind the name changed): this method then returns the corrected identity.
   *
   * @throws dev.ragtime.provider.EmbeddingException if the probe fails
   */
  @Override
  public ModelInfo info() {
    Optional<ModelInfo> known = identity.info();
    if (known.isPresent()) {
      return known.get();
    }
    // The probe may be answered from the cache, in which case no provider response teaches the
    // dimension: take it from the vector itself, provisionally.
    int dim = embed(List.of(PROBE_TEXT)).getFirst().length;
    return identity.info().orElseGet(() -> identity.learnFromCache(dim));
  }

  /** Embeds passages; see {@link #embed(List, Purpose)}. */
  @Override
  public List<float[]> embed(List<String> texts) {
    return embed(texts, Purpose.DOCUMENT);
  }

  /**
   * Embeds the texts for {@code purpose}: queries through the query lane, passages through the bulk
   * lane. See the class documentation for the contract.
   */
  @Override
  public List<float[]> embed(List<String> texts, Purpose purpose) {
    Objects.requireNonNull(texts, "texts");
    Objects.requireNonNull(purpose, "purpose");
    if (closed.get()) {
      throw new IllegalStateException("embedding pipeline is closed");
    }
    throwIfBroken();
    if (texts.isEmpty()) {
      return List.of();
    }
    long start = System.nanoTime();
    boolean ok = false;
    try {
      List<float[]> result = embedAll(texts, purpose);
      ok = true;
      return result;
    } finally {
      metrics.call(System.nanoTime() - start, ok, texts.size());
    }
  }

  private List<float[]> embedAll(List<String> texts, Purpose purpose) {
    InputPreparer.Prepared prepared = inputs.prepare(texts, purpose);
    Map<String, String> textOf = prepared.textOf();

    VectorCache.Lookup lookup = cache.getAll(textOf.keySet());
    Map<String, float[]> vectors = new HashMap<>();
    // A cached vector of another dimension (the server behind the model name changed) is a miss,
    // counted once, and is embedded again; its replacement overwrites it in the cache.
    int memoryHits = useCached(lookup.memory(), vectors);
    int diskHits = useCached(lookup.disk(), vectors);
    metrics.cache(memoryHits, diskHits, textOf.size() - vectors.size());

    if (vectors.size() < textOf.size()) {
      Map<String, String> missing = new LinkedHashMap<>(); // in input order
      textOf.forEach(
          (key, text) -> {
            if (!vectors.containsKey(key)) {
              missing.put(key, text);
            }
          });
      SingleFlight.Registration reg =
          flights.register(missing, purpose, callSequence.incrementAndGet(), inputs::tokens);
      if (reg.joined() > 0) {
        metrics.coalesced(reg.joined());
      }
      List<PendingText> mine = reg.mine();
      if (!mine.isEmpty()) {
        // Close the gap between our cache miss and becoming the owner: a batch may have
        // delivered one of these keys in between.
        Map<String, float[]> delivered = new HashMap<>();
        cache
            .getDelivered(mine.stream().map(p -> p.key).toList())
            .forEach(
                (k, v) -> {
                  if (identity.usable(v)) {
                    delivered.put(k, v);
                  }
                });
        mine = flights.completeDelivered(mine, delivered);
      }
      try {
        dispatcher.submit(mine);
      } catch (InterruptedException e) {
        flights.abandon(reg.waits().values());
        Thread.currentThread().interrupt();
        throw new EmbeddingCancelledException("interrupted while queueing texts", e);
      } catch (IllegalStateException e) { // shut down: closed, or the dispatcher failed
        flights.abandon(reg.waits().values());
        throwIfBroken();
        throw e;
      }
      flights.awaitAll(reg.waits(), vectors);
    }
    String[] keys = prepared.keys();
    List<float[]> out = new ArrayList<>(keys.length);
    for (String key : keys) {
      out.add(vectors.get(key).clone());
    }
    return out;
  }

  /** Copies the usable cached vectors into {@code vectors}; returns how many there were. */
  private int useCached(Map<String, float[]> cached, Map<String, float[]> vectors) {
    int used = 0;
    for (Map.Entry<String, float[]> e : cached.entrySet()) {
      if (identity.usable(e.getValue())) {
        vectors.put(e.getKey(), e.getValue());
        used++;
      }
    }
    return used;
  }

  /** After a dispatcher failure nothing could ever be embedded again: say so at once. */
  private void throwIfBroken() {
    Optional<EmbeddingCancelledException> broken = dispatcher.failure();
    if (broken.isPresent()) {
      throw new EmbeddingCancelledException(broken.get().getMessage(), broken.get().getCause());
    }
  }

  /** The vector itself if it is unit length (within tolerance), else a normalised copy. */
  static float[] unit(float[] v) {
    return Delivery.unit(v);
  }

  /** Live figures for progress output; cheap, callable at any time. */
  public PipelineStats stats() {
    return new PipelineStats(
        metrics.textsRequested.sum(),
        metrics.cacheHits.sum(),
        metrics.coalesced.sum(),
        metrics.embeddedTexts.sum(),
        metrics.requests.sum(),
        limiter.inFlight(),
        dispatcher.queued(),
        limiter.limit(),
        metrics.rateLimited.sum(),
        metrics.retries.sum(),
        metrics.failures.sum(),
        metrics.tokens.sum(),
        metrics.splits.sum(),
        metrics.failovers.sum());
  }

  /**
   * Waits up to a minute for the vectors waiting for the disk tier to be written, then commits the
   * disk tier, so what was written is durable now.
   */
  public void flush() {
    cache.flush();
  }

  /**
   * Refuses new calls, lets queued and in-flight batches finish for up to the drain timeout, then
   * cancels what is left (its callers get {@link EmbeddingCancelledException}), closes the HTTP
   * client, writes what the disk tier still lacks (for up to max(drain timeout, 5 s); what is still
   * pending then is dropped with a warning) and commits it. Idempotent. Nothing of this pipeline
   * starts after it returns: no batch, no model call, no cache write.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    dispatcher.close(drainTimeout);
    closeResources();
  }

  private void closeResources() {
    remote.ifPresent(RemoteStack::close);
    modelThread.close();
    try {
      cache.close(drainTimeout.compareTo(MIN_CACHE_CLOSE) < 0 ? MIN_CACHE_CLOSE : drainTimeout);
    } catch (RuntimeException e) {
      LOG.warn("cannot close the embedding cache cleanly", e);
    }
    metrics.close();
  }

  @Override
  public String toString() {
    return "EmbeddingPipeline[" + identity.modelId() + ", " + config.provider().key() + "]";
  }

  /**
   * Collects what the pipeline needs besides its config. Only the executor is required; it runs two
   * long-lived dispatcher loops, one task per batch and the disk cache's writer, so a
   * virtual-thread-per-task executor is the natural choice. Not thread-safe.
   */
  public static final class Builder {
    private final EmbeddingConfig config;
    private EmbeddingModel localModel;
    private Optional<PersistentVectorCache.Opener> persistentCache = Optional.empty();
    private Executor executor;
    private MeterRegistry meterRegistry;
    private Tracer tracer;
    private InstantSource clock = InstantSource.system();
    private Sleeper sleeper = Sleeper.system();
    private RandomGenerator random;
    private TokenCounter tokenCounter = TokenCounter.approximate();
    private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
    private PersistentVectorCache diskStore;
    private ModelGate modelGate = new ModelGate();

    private Builder(EmbeddingConfig config) {
      this.config = Objects.requireNonNull(config, "config");
    }

    /** The in-process model; required for provider {@code local}. Not closed by the pipeline. */
    public Builder localModel(EmbeddingModel model) {
      this.localModel = Objects.requireNonNull(model, "model");
      return this;
    }

    /**
     * Parent directory of the persistent vector cache (typically {@code
     * <dataDir>/embedding-cache}); each model gets its own sub-directory. Without it, or with
     * {@code cachePersistent = false}, only the memory cache is used.
     */
    public Builder cacheDirectory(Path directory) {
      return persistentCache(DiskVectorStore.under(Objects.requireNonNull(directory, "directory")));
    }

    /**
     * Where the persistent vector cache lives, when not in a directory (a shared database, so that
     * nodes reuse each other's vectors). Replaces {@link #cacheDirectory}. With {@code
     * cachePersistent = false} it is not opened. The pipeline closes what it opens.
     */
    public Builder persistentCache(PersistentVectorCache.Opener opener) {
      this.persistentCache = Optional.of(Objects.requireNonNull(opener, "opener"));
      return this;
    }

    /**
     * Runs the two dispatcher loops, one task per batch, the disk cache's writer and the HTTP
     * client's work. Required.
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** Where meters go; defaults to a private {@link SimpleMeterRegistry}. */
    public Builder meterRegistry(MeterRegistry registry) {
      this.meterRegistry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /** Tracer for one span per provider call; defaults to a no-op tracer. */
    public Builder tracer(Tracer tracer) {
      this.tracer = Objects.requireNonNull(tracer, "tracer");
      return this;
    }

    /** Clock for pacing, deadlines and circuit breakers; defaults to the system clock. */
    public Builder clock(InstantSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Used for back-off and pacing waits; defaults to {@link Sleeper#system()}. */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /**
     * Jitter source (used under a lock, so any implementation will do); defaults to a {@link
     * java.util.SplittableRandom}.
     */
    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Estimates tokens for batching and TPM pacing; defaults to {@link TokenCounter#approximate}.
     */
    public Builder tokenCounter(TokenCounter counter) {
      this.tokenCounter = Objects.requireNonNull(counter, "counter");
      return this;
    }

    /** How long {@link EmbeddingPipeline#close()} lets queued work finish; default 30 s. */
    public Builder drainTimeout(Duration timeout) {
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("drainTimeout must be >= 0, was " + timeout);
      }
      this.drainTimeout = timeout;
      return this;
    }

    /**
     * Uses this opened store as the persistent tier instead of opening one under the cache
     * directory (tests). The pipeline closes it.
     */
    Builder diskStore(PersistentVectorCache store) {
      this.diskStore = Objects.requireNonNull(store, "store");
      return this;
    }

    /** The gate in front of the local model (tests watch it). */
    Builder modelGate(ModelGate gate) {
      this.modelGate = Objects.requireNonNull(gate, "gate");
      return this;
    }

    /**
     * Creates the pipeline and starts its dispatcher on the executor. Does no network I/O.
     *
     * @throws IllegalArgumentException if the executor is missing, or provider is local and no
     *     local model was given
     */
    public EmbeddingPipeline build() {
      if (executor == null) {
        throw new IllegalArgumentException(
            "an executor is required (the composition root owns threads)");
      }
      if (meterRegistry == null) {
        meterRegistry = new SimpleMeterRegistry();
      }
      if (tracer == null) {
        tracer = OpenTelemetry.noop().getTracer("dev.ragtime.embed");
      }
      if (random == null) {
        random = new java.util.SplittableRandom();
      }
      return new EmbeddingPipeline(this);
    }
  }
}
