package dev.ragtime.embed;

import dev.ragtime.chunk.TokenCounter;
import dev.ragtime.provider.EmbeddingCancelledException;
import dev.ragtime.provider.Endpoint;
import dev.ragtime.provider.MalformedResponseException;
import dev.ragtime.provider.ProviderClient;
import dev.ragtime.provider.WireProtocol;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Tracer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
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
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Design note: how a text flows through the pipeline, and why.
 *
 *   embed(texts) ─► normalise (NFC + strip), truncate (OpenAI only) and key (SHA-256 of model
 *                   namespace + the text exactly as it will be sent)
 *                ─► cache: memory (Caffeine) then disk (Lucene, per model)      hit → done
 *                ─► single-flight map: an identical text already in flight?    yes → wait on it
 *                ─► micro-batcher queue (bounded; caller blocks when full = backpressure)
 *   dispatcher   ─► take a concurrency permit (adaptive AIMD limit), then a batch: up to maxBatch
 *                   texts and maxBatchTokens tokens, lingering at most maxWait for it to fill
 *                   (while the provider orders a hold, a Retry-After or an exhausted quota until
 *                   its reset, the dispatcher forms no batch)
 *                ─► one executor task per batch: RemoteSender (pace RPM/TPM → pick endpoint whose
 *                   breaker admits → send → retry / split / isolate / fail over) or LocalSender
 *                ─► deliver: check the dimension, put in cache, complete the shared future
 *   embed        ◄─ every future of the call completes (or the first failure is thrown)
 *
 * Why this order. The cache comes first because the cheapest request is the one never sent, and
 * content addressing makes re-ingesting unchanged text free. Single-flight sits before the queue
 * so duplicate texts (within a call or across concurrent calls) cost one slot in a batch. The
 * dispatcher acquires the concurrency permit *before* forming a batch, so while the provider is
 * saturated texts pile up and batches leave full; when it is idle a batch leaves after maxWait.
 * Pacing happens per attempt (retries spend quota too) with buckets that start almost empty, and
 * no wait may take a batch past its deadline. A batch keeps its permit while it waits for our own
 * pacing (freeing it would only let the dispatcher send smaller batches), but gives it back during
 * a hold the provider ordered, which is bounded (RatePacer.MAX_HOLD).
 * Failures are isolated as narrowly as the information allows: a too-large batch is halved, an
 * input-specific rejection is retried per caller, and only the texts that truly fail are failed.
 * Callers block on plain futures (virtual threads make that cheap); nothing here creates threads:
 * the dispatcher and batch tasks run on the executor the composition root hands in.
 */

/**
 * The embedding service: an {@link EmbeddingModel} that puts caching, single-flight,
 * micro-batching, rate pacing, adaptive concurrency, retries, batch splitting, circuit breaking and
 * same-model failover in front of a remote provider (OpenAI-compatible, Ollama, TEI) or, for the
 * {@code local} provider, in front of an in-process model (where only caching, single-flight,
 * batching, the concurrency bound and metrics apply).
 *
 * <p>Contract: {@link #embed} returns one vector per input in input order, each exactly the vector
 * the provider returned for that text as sent (normalised, and cut to {@code maxInputTokens} for
 * the OpenAI-compatible provider), re-normalised to unit length only if the provider's was not
 * already (within 1e-3); or it throws an {@link dev.ragtime.provider.EmbeddingException} (see that
 * class for the taxonomy). A call blocks until all its vectors are ready; interrupting the caller
 * makes it throw {@link EmbeddingCancelledException} with the interrupt flag set. Texts are
 * normalised with Unicode NFC and stripped of leading and trailing white space before they are
 * embedded; blank texts are rejected for remote providers (they refuse empty input).
 *
 * <p>Thread-safe; meant to be shared by every caller of one model. Must be closed: {@link #close()}
 * refuses new calls, lets queued and in-flight work finish (bounded by the drain timeout), closes
 * the HTTP client and flushes the persistent cache. The local model passed in is not closed.
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
 * }
 * }
 */
public final class EmbeddingPipeline implements EmbeddingModel {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddingPipeline.class);

  /** Text embedded to learn a remote model's dimension when it is not configured. */
  static final String PROBE_TEXT = "ragtime dimension probe";

  private static final double UNIT_TOLERANCE = 1e-3;

  private final EmbeddingConfig config;
  private final String modelId;
  private final String namespace;
  private final Optional<EmbeddingModel> local;
  private final VectorCache cache;
  private final ConcurrentHashMap<String, PendingText> inFlight = new ConcurrentHashMap<>();
  private final MicroBatcher batcher;
  private final AdaptiveLimiter limiter;
  private final Optional<RatePacer> pacer;
  private final Optional<EndpointGroup> endpoints;
  private final Optional<HttpClient> http;
  private final BatchSender sender;
  private final PipelineMetrics metrics;
  private final TokenCounter tokenCounter;
  private final Executor executor;
  private final Sleeper sleeper;
  private final Duration drainTimeout;
  private final AtomicInteger dimension = new AtomicInteger();
  private final BatchLimit batchLimit;
  private final AtomicLong callSequence = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean diskWarned = new AtomicBoolean();
  private final Set<Thread> workers = ConcurrentHashMap.newKeySet();
  private final AtomicInteger activeBatches = new AtomicInteger();
  private final Object idle = new Object();
  private final CountDownLatch dispatcherDone = new CountDownLatch(1);
  private volatile Thread dispatcherThread;
  private volatile EmbeddingCancelledException dispatcherFailure;
  private volatile ModelInfo info;

  private EmbeddingPipeline(Builder b) {
    this.config = b.config;
    this.local = Optional.ofNullable(b.localModel);
    this.tokenCounter = b.tokenCounter;
    this.executor = b.executor;
    this.sleeper = b.sleeper;
    this.drainTimeout = b.drainTimeout;
    this.batchLimit = new BatchLimit(config.maxBatch());
    boolean remote = config.provider() != EmbeddingConfig.Provider.LOCAL;
    if (remote) {
      modelId = config.remoteModelId();
      namespace =
          modelId
              + "|dims="
              + (config.dimensions().isPresent()
                  ? Integer.toString(config.dimensions().getAsInt())
                  : "native");
      if (config.dimensions().isPresent()) {
        dimension.set(config.dimensions().getAsInt());
        info = new ModelInfo(modelId, config.dimensions().getAsInt(), config.maxInputTokens());
      }
    } else {
      ModelInfo li =
          local
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "provider is local but no local model was given to the pipeline"))
              .info();
      modelId = li.id();
      namespace = li.id() + "|dims=" + li.dimension();
      dimension.set(li.dimension());
      info = li;
    }
    this.metrics = new PipelineMetrics(b.meterRegistry, modelId);
    this.cache = new VectorCache(config.cacheMemoryBytes(), openDisk(b.cacheDirectory));
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
    this.batcher =
        new MicroBatcher(Math.max(1_024, config.maxBatch() * config.maxConcurrency() * 4));
    BatchSender.Sink sink = new Sink();
    if (remote) {
      var rp = new RatePacer(config.rpm(), config.tpm(), b.clock);
      this.pacer = Optional.of(rp);
      HttpClient client =
          ProviderClient.newHttpClient(
              config.timeout().compareTo(Duration.ofSeconds(10)) < 0
                  ? config.timeout()
                  : Duration.ofSeconds(10),
              executor);
      this.http = Optional.of(client);
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
        clients.add(ProviderClient.create(endpoint, client, b.tracer, b.clock, rp::observe));
      }
      var group = new EndpointGroup(clients, b.clock);
      this.endpoints = Optional.of(group);
      this.sender =
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
                  b.clock,
                  b.random),
              batchLimit,
              b.clock,
              b.sleeper,
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
      metrics.gauge(
          "pacing.tpm", "tokens per minute paced at (0 = unlimited)", rp::tokensPerMinute);
    } else {
      this.pacer = Optional.empty();
      this.http = Optional.empty();
      this.endpoints = Optional.empty();
      this.sender = new LocalSender(local.orElseThrow(), limiter, sink, metrics);
    }
    metrics.gauge("requests.inflight", "provider requests in flight", limiter::inFlight);
    metrics.gauge("concurrency.limit", "adaptive concurrency limit", limiter::limit);
    metrics.gauge("queue.depth", "texts waiting in the micro-batcher", batcher::size);
    metrics.gauge("cache.memory.entries", "vectors in the memory cache", cache::memoryEntries);
    try {
      executor.execute(this::dispatchLoop);
    } catch (RejectedExecutionException e) {
      closeQuietly();
      throw new IllegalArgumentException("the executor refused the dispatcher task", e);
    }
  }

  private Optional<DiskVectorStore> openDisk(Optional<Path> cacheDirectory) {
    if (cacheDirectory.isEmpty() || !config.cachePersistent()) {
      return Optional.empty();
    }
    String safe = modelId.replaceAll("[^A-Za-z0-9._-]", "_");
    if (safe.length() > 60) {
      safe = safe.substring(0, 60);
    }
    Path dir =
        cacheDirectory.get().resolve(safe + "-" + TextKey.sha256Hex(namespace).substring(0, 12));
    try {
      return Optional.of(DiskVectorStore.open(dir, namespace));
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "embedding cache at {} is unavailable ({}); continuing with the memory cache only",
          dir,
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
   * (which is cached, so it costs one request once per model and cache directory).
   *
   * @throws dev.ragtime.provider.EmbeddingException if the probe fails
   */
  @Override
  public ModelInfo info() {
    ModelInfo i = info;
    if (i == null) {
      // The probe may be answered from the cache, in which case no provider response teaches the
      // dimension: take it from the vector itself.
      int dim = embed(List.of(PROBE_TEXT)).get(0).length;
      synchronized (this) {
        if (info == null) {
          dimension.compareAndSet(0, dim);
          info = new ModelInfo(modelId, dimension.get(), config.maxInputTokens());
        }
        i = info;
      }
    }
    return i;
  }

  @Override
  public List<float[]> embed(List<String> texts) {
    Objects.requireNonNull(texts, "texts");
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
      List<float[]> result = embedAll(texts);
      ok = true;
      return result;
    } finally {
      metrics.call(System.nanoTime() - start, ok, texts.size());
    }
  }

  private List<float[]> embedAll(List<String> texts) {
    boolean remote = config.provider() != EmbeddingConfig.Provider.LOCAL;
    int n = texts.size();
    String[] keys = new String[n];
    Map<String, String> textOf = new LinkedHashMap<>(); // key -> the text sent for it
    Map<String, String> keyOf = new HashMap<>(); // normalised input -> key
    for (int i = 0; i < n; i++) {
      String t = Objects.requireNonNull(texts.get(i), () -> "texts contains null");
      String norm = TextKey.normalize(t);
      if (remote && norm.isEmpty()) {
        throw new IllegalArgumentException(
            "text at index " + i + " is blank; embedding providers reject empty input");
      }
      String key = keyOf.get(norm);
      if (key == null) {
        // Key exactly what is sent: after truncation, so a new maxInputTokens or token counter
        // never serves a vector of the old truncation.
        String toSend = truncate(norm);
        key = TextKey.key(namespace, toSend);
        keyOf.put(norm, key);
        textOf.putIfAbsent(key, toSend);
      }
      keys[i] = key;
    }

    VectorCache.Lookup lookup = cache.getAll(textOf.keySet());
    Map<String, float[]> vectors = new HashMap<>();
    // A cached vector of another dimension (the server behind the model name changed) is a miss,
    // counted once, and is embedded again; its replacement overwrites it in the cache.
    int memoryHits = useCached(lookup.memory(), vectors);
    int diskHits = useCached(lookup.disk(), vectors);
    metrics.cache(memoryHits, diskHits, textOf.size() - vectors.size());

    long owner = callSequence.incrementAndGet();
    Map<String, PendingText> waits = new LinkedHashMap<>();
    List<PendingText> mine = new ArrayList<>();
    int joined = 0;
    long now = System.nanoTime();
    for (Map.Entry<String, String> e : textOf.entrySet()) {
      String key = e.getKey();
      if (vectors.containsKey(key)) {
        continue;
      }
      String toSend = e.getValue();
      var fresh = new PendingText(key, toSend, tokenCounter.count(toSend), owner, now);
      PendingText p =
          inFlight.compute(
              key,
              (k, existing) -> {
                PendingText use = existing == null || existing.cancelled() ? fresh : existing;
                use.addWaiter();
                return use;
              });
      if (p == fresh) {
        // Close the gap between our cache miss and becoming the owner: a batch may have
        // delivered this key in between.
        Optional<float[]> late = cache.getIfPresentInMemory(key).filter(this::usable);
        if (late.isPresent() && fresh.dispatch()) {
          fresh.result.complete(late.get());
          inFlight.remove(key, fresh);
        } else {
          mine.add(fresh);
        }
      } else {
        joined++;
      }
      waits.put(key, p);
    }
    if (joined > 0) {
      metrics.coalesced(joined);
    }
    if (!waits.isEmpty()) {
      try {
        batcher.enqueue(mine);
      } catch (InterruptedException e) {
        abandon(waits.values());
        Thread.currentThread().interrupt();
        throw new EmbeddingCancelledException("interrupted while queueing texts", e);
      } catch (IllegalStateException e) { // shut down: closed, or the dispatcher failed
        abandon(waits.values());
        throwIfBroken();
        throw e;
      }
      awaitAll(waits, vectors);
    }
    List<float[]> out = new ArrayList<>(n);
    for (String key : keys) {
      out.add(vectors.get(key).clone());
    }
    return out;
  }

  /** Copies the usable cached vectors into {@code vectors}; returns how many there were. */
  private int useCached(Map<String, float[]> cached, Map<String, float[]> vectors) {
    int used = 0;
    for (Map.Entry<String, float[]> e : cached.entrySet()) {
      if (usable(e.getValue())) {
        vectors.put(e.getKey(), e.getValue());
        used++;
      }
    }
    return used;
  }

  /** A cached vector is usable unless the model's dimension is known and differs. */
  private boolean usable(float[] cached) {
    int known = dimension.get();
    return known == 0 || cached.length == known;
  }

  /** After a dispatcher failure nothing could ever be embedded again: say so at once. */
  private void throwIfBroken() {
    EmbeddingCancelledException broken = dispatcherFailure;
    if (broken != null) {
      throw new EmbeddingCancelledException(broken.getMessage(), broken.getCause());
    }
  }

  private void awaitAll(Map<String, PendingText> waits, Map<String, float[]> vectors) {
    var firstFailure = new CompletableFuture<Void>();
    var futures = new ArrayList<CompletableFuture<float[]>>(waits.size());
    for (PendingText p : waits.values()) {
      futures.add(p.result);
      p.result.whenComplete(
          (v, ex) -> {
            if (ex != null) {
              firstFailure.completeExceptionally(ex);
            }
          });
    }
    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
        .whenComplete((v, ex) -> firstFailure.complete(null));
    try {
      firstFailure.get();
    } catch (InterruptedException e) {
      abandon(waits.values());
      Thread.currentThread().interrupt();
      throw new EmbeddingCancelledException("interrupted while waiting for embeddings", e);
    } catch (ExecutionException e) {
      abandon(waits.values());
      throw unwrap(e.getCause());
    }
    for (Map.Entry<String, PendingText> e : waits.entrySet()) {
      try {
        vectors.put(e.getKey(), e.getValue().result.join());
      } catch (CompletionException | CancellationException ex) {
        abandon(waits.values());
        throw unwrap(ex instanceof CompletionException ? ex.getCause() : ex);
      }
    }
  }

  private static RuntimeException unwrap(Throwable cause) {
    if (cause instanceof RuntimeException re) {
      return re;
    }
    if (cause instanceof Error err) {
      throw err;
    }
    return BatchSender.unexpected("embedding", cause);
  }

  /** The caller stops waiting: texts nobody else waits for and not yet sent are dropped. */
  private void abandon(Iterable<PendingText> pending) {
    for (PendingText p : pending) {
      if (p.result.isDone()) {
        continue;
      }
      inFlight.computeIfPresent(
          p.key,
          (k, existing) -> {
            if (existing != p) {
              return existing;
            }
            if (p.removeWaiter() == 0 && p.cancel()) {
              p.result.completeExceptionally(
                  new EmbeddingCancelledException("every caller gave up on this text", null));
              return null;
            }
            return existing;
          });
    }
  }

  /**
   * OpenAI-compatible servers reject inputs over the model's context instead of truncating, so
   * over-long inputs are cut here (by the token estimate); Ollama and TEI are asked to truncate.
   */
  private String truncate(String text) {
    if (config.provider() != EmbeddingConfig.Provider.OPENAI) {
      return text;
    }
    int max = config.maxInputTokens();
    String t = text;
    if (tokenCounter.count(t) <= max) {
      return t;
    }
    t = t.substring(0, Math.min(t.length(), max * 4));
    while (tokenCounter.count(t) > max && t.length() > 1) {
      t = t.substring(0, (int) (t.length() * 0.9));
    }
    return t;
  }

  private final class Sink implements BatchSender.Sink {
    @Override
    public void deliver(
        List<PendingText> batch, List<float[]> vectors, String endpoint, int tokens) {
      int dim = vectors.getFirst().length;
      if (!dimension.compareAndSet(0, dim) && dimension.get() != dim) {
        throw new MalformedResponseException(
            endpoint
                + " returned "
                + dim
                + "-dimensional vectors but model "
                + modelId
                + " has "
                + dimension.get()
                + " dimensions; every endpoint must serve the same model",
            endpoint,
            null);
      }
      if (info == null) {
        info = new ModelInfo(modelId, dim, config.maxInputTokens());
      }
      metrics.embedded(batch.size(), tokens); // before callers can observe the vectors
      for (int i = 0; i < batch.size(); i++) {
        PendingText p = batch.get(i);
        float[] v = unit(vectors.get(i));
        try {
          cache.put(p.key, v);
        } catch (RuntimeException e) {
          if (diskWarned.compareAndSet(false, true)) {
            LOG.warn("cannot write the embedding cache; vectors are still returned", e);
          }
        }
        p.result.complete(v);
        inFlight.remove(p.key, p);
      }
    }

    @Override
    public void fail(List<PendingText> batch, RuntimeException cause) {
      List<PendingText> open = batch.stream().filter(p -> !p.result.isDone()).toList();
      if (!open.isEmpty()) {
        metrics.failed(open.size(), cause.getClass()); // before callers can observe the failure
      }
      for (PendingText p : batch) {
        p.result.completeExceptionally(cause);
        inFlight.remove(p.key, p);
      }
    }
  }

  /** The vector itself if it is unit length (within tolerance), else a normalised copy. */
  static float[] unit(float[] v) {
    double sum = 0;
    for (float f : v) {
      sum += (double) f * f;
    }
    double norm = Math.sqrt(sum);
    if (norm == 0 || Math.abs(norm - 1) <= UNIT_TOLERANCE) {
      return v;
    }
    float[] u = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      u[i] = (float) (v[i] / norm);
    }
    return u;
  }

  private void dispatchLoop() {
    dispatcherThread = Thread.currentThread();
    AdaptiveLimiter.Permit held = null; // taken but not yet handed to a batch task
    List<PendingText> inHand = List.of(); // taken from the queue but not yet handed over
    try {
      while (batcher.awaitNonEmpty()) {
        Duration hold = pacer.map(RatePacer::holdRemaining).orElse(Duration.ZERO);
        if (hold.isPositive()) {
          // The provider ordered everyone to wait (a Retry-After, or a quota reported exhausted
          // until its reset): form no batch meanwhile, so the texts that arrive pile up and leave
          // in full batches afterwards, and no batch waits holding a concurrency permit.
          sleeper.sleep(hold);
          continue;
        }
        AdaptiveLimiter.Permit permit = limiter.acquire();
        held = permit;
        List<PendingText> batch;
        try {
          batch = batcher.take(batchLimit.current(), config.maxBatchTokens(), config.maxWait());
        } catch (InterruptedException e) {
          permit.ignore();
          return;
        }
        if (batch.isEmpty()) { // everything queued was cancelled meanwhile
          permit.ignore();
          held = null;
          continue;
        }
        inHand = batch;
        long now = System.nanoTime();
        for (PendingText p : batch) {
          metrics.queueWait(now - p.enqueuedNanos);
        }
        activeBatches.incrementAndGet();
        try {
          executor.execute(() -> runBatch(batch, permit));
        } catch (RuntimeException e) { // RejectedExecutionException, or any other refusal
          permit.ignore();
          batchDone();
          new Sink()
              .fail(batch, new EmbeddingCancelledException("the executor refused the batch", e));
        }
        held = null;
        inHand = List.of();
      }
    } catch (InterruptedException e) {
      // forced close
    } catch (RuntimeException | Error e) {
      LOG.error("embedding dispatcher failed; failing queued texts and refusing new ones", e);
      var failure =
          new EmbeddingCancelledException(
              "the embedding dispatcher failed unexpectedly, so this pipeline can embed nothing"
                  + " more: "
                  + e,
              e);
      dispatcherFailure = failure;
      if (held != null) {
        held.ignore();
      }
      batcher.shutdown(); // first, so no text can be queued after the drain
      var lost = new ArrayList<>(inHand);
      lost.addAll(batcher.drainAll());
      new Sink().fail(lost, failure);
    } finally {
      dispatcherThread = null;
      dispatcherDone.countDown();
    }
  }

  private void runBatch(List<PendingText> batch, AdaptiveLimiter.Permit permit) {
    Thread me = Thread.currentThread();
    workers.add(me);
    try {
      sender.send(batch, permit);
    } catch (RuntimeException | Error e) {
      new Sink().fail(batch, BatchSender.unexpected("an embedding batch task", e));
    } finally {
      workers.remove(me);
      Thread.interrupted(); // do not leak an interrupt into the executor's thread
      batchDone();
    }
  }

  private void batchDone() {
    activeBatches.decrementAndGet();
    synchronized (idle) {
      idle.notifyAll();
    }
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
        batcher.size(),
        limiter.limit(),
        metrics.rateLimited.sum(),
        metrics.retries.sum(),
        metrics.failures.sum(),
        metrics.tokens.sum(),
        metrics.splits.sum(),
        metrics.failovers.sum());
  }

  /** Makes every cached vector durable now (the persistent cache also commits periodically). */
  public void flush() {
    cache.flush();
  }

  /**
   * Refuses new calls, lets queued and in-flight batches finish for up to the drain timeout, then
   * cancels what is left (its callers get {@link EmbeddingCancelledException}), closes the HTTP
   * client and commits the persistent cache. Idempotent. No task of this pipeline runs after it
   * returns.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    batcher.shutdown();
    boolean drained = awaitQuiet(drainTimeout);
    if (!drained) {
      LOG.warn("embedding pipeline did not drain within {}; cancelling the rest", drainTimeout);
      Thread d = dispatcherThread;
      if (d != null) {
        d.interrupt();
      }
      workers.forEach(Thread::interrupt);
      new Sink()
          .fail(
              batcher.drainAll(),
              new EmbeddingCancelledException("embedding pipeline closed", null));
      awaitQuiet(Duration.ofSeconds(5));
    }
    closeQuietly();
  }

  private void closeQuietly() {
    http.ifPresent(
        h -> {
          h.shutdown();
          try {
            if (!h.awaitTermination(Duration.ofSeconds(5))) {
              h.shutdownNow();
            }
          } catch (InterruptedException e) {
            h.shutdownNow();
            Thread.currentThread().interrupt();
          }
        });
    try {
      cache.close();
    } catch (RuntimeException e) {
      LOG.warn("cannot close the embedding cache cleanly", e);
    }
    metrics.close();
  }

  private boolean awaitQuiet(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      if (!dispatcherDone.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        return false;
      }
      synchronized (idle) {
        while (activeBatches.get() > 0) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return false;
          }
          TimeUnit.NANOSECONDS.timedWait(idle, Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
        }
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public String toString() {
    return "EmbeddingPipeline[" + modelId + ", " + config.provider().key() + "]";
  }

  /**
   * Collects what the pipeline needs besides its config. Only the executor is required; it runs the
   * dispatcher and one task per batch, so a virtual-thread-per-task executor is the natural choice.
   * Not thread-safe.
   */
  public static final class Builder {
    private final EmbeddingConfig config;
    private EmbeddingModel localModel;
    private Optional<Path> cacheDirectory = Optional.empty();
    private Executor executor;
    private MeterRegistry meterRegistry;
    private Tracer tracer;
    private InstantSource clock = InstantSource.system();
    private Sleeper sleeper = Sleeper.system();
    private RandomGenerator random;
    private TokenCounter tokenCounter = TokenCounter.approximate();
    private Duration drainTimeout = Duration.ofSeconds(30);

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
      this.cacheDirectory = Optional.of(directory);
      return this;
    }

    /** Runs the dispatcher, batch tasks and the HTTP client's work. Required. */
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
