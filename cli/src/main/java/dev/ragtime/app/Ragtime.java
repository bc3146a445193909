package dev.ragtime.app;

import dev.ragtime.chunk.Chunker;
import dev.ragtime.chunk.TokenCounter;
import dev.ragtime.document.DocumentParsers;
import dev.ragtime.embed.EmbeddingModel;
import dev.ragtime.embed.EmbeddingPipeline;
import dev.ragtime.embed.ModelInfo;
import dev.ragtime.embed.PipelineStats;
import dev.ragtime.eval.BeirEvaluation;
import dev.ragtime.index.Index;
import dev.ragtime.index.IndexStore;
import dev.ragtime.index.LuceneCollections;
import dev.ragtime.index.SearchableIndex;
import dev.ragtime.ingest.Ingestor;
import dev.ragtime.onnx.OnnxEmbeddingModel;
import dev.ragtime.onnx.OnnxModelConfig;
import dev.ragtime.postgres.PgCollections;
import dev.ragtime.postgres.PgDatabase;
import dev.ragtime.postgres.cache.PgVectorCache;
import dev.ragtime.postgres.queue.PgQueue;
import dev.ragtime.postgres.queue.QueueConfig;
import dev.ragtime.postgres.queue.QueueWorker;
import dev.ragtime.search.Searcher;
import dev.ragtime.server.ServerParts;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.GlobalOpenTelemetry;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The composition root: builds every service once from {@link RagtimeConfig} and hands them to the
 * commands and to the server ({@link #serverParts}) by constructor: one wiring for both. It is the
 * only place that creates executors.
 *
 * <p>Expensive parts are created on first use: the embedding model (seconds to load) is only loaded
 * when a text must actually be embedded, so {@code stats}, {@code delete}, BM25 search and a
 * re-ingest of unchanged files never pay for it.
 *
 * <p>With a PostgreSQL store ({@link RagtimeConfig#store()}) it opens the database once (one
 * connection pool, the schema migrated) and every part that holds state uses it: the collections,
 * the embedding pipeline's persistent cache (shared by every node) and, for {@code serve} and
 * {@code worker}, the ingestion queue. Nothing else then holds state, so any number of instances
 * may run on one database.
 *
 * <p>Thread-safe. Close it to release the model, stop the executor and close the database pool.
 */
public final class Ragtime implements AutoCloseable {
  private final RagtimeConfig config;
  private final Optional<PgDatabase> database;
  private final Optional<PgQueue> queue;
  private final IndexStore collections;
  private final ExecutorService executor;
  private final DocumentParsers parsers;
  private final MeterRegistry meters;
  // Locks, not synchronized: building the pipeline opens its disk cache and loading the model
  // reads and initialises it (blocking I/O), which inside a monitor would pin a virtual thread's
  // carrier on JDK 21. Two locks, so a model load does not hold up callers of the pipeline.
  private final ReentrantLock pipelineLock = new ReentrantLock();
  private final ReentrantLock onnxLock = new ReentrantLock();
  private volatile EmbeddingPipeline pipeline; // created once, under pipelineLock
  private volatile OnnxEmbeddingModel onnx; // created once, under onnxLock

  private Ragtime(RagtimeConfig config, MeterRegistry meters) {
    this.config = Objects.requireNonNull(config, "config");
    this.database = config.store().map(PgDatabase::open);
    try {
      this.collections =
          database.map(Ragtime::postgresCollections).orElseGet(() -> luceneCollections(config));
    } catch (RuntimeException e) {
      database.ifPresent(PgDatabase::close);
      throw e;
    }
    this.queue = database.map(db -> new PgQueue(db.dataSource(), QueueConfig.DEFAULT));
    this.executor =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("ragtime-", 0).factory());
    this.parsers = DocumentParsers.create(config.ingest().maxFileBytes());
    this.meters = Objects.requireNonNull(meters, "meters");
  }

  private static IndexStore luceneCollections(RagtimeConfig config) {
    return LuceneCollections.at(config.dataDir(), config.index());
  }

  /**
   * The collections of the PostgreSQL store: every collection in the one database, so any number of
   * instances (CLI processes, {@code serve} nodes, workers) see and change the same ones.
   */
  private static IndexStore postgresCollections(PgDatabase database) {
    return PgCollections.on(database);
  }

  public static Ragtime create(RagtimeConfig config) {
    return new Ragtime(config, new SimpleMeterRegistry());
  }

  /**
   * An instance whose meters go to {@code meters} (for example a Prometheus registry that the
   * server scrapes). The instance takes ownership and closes it.
   */
  public static Ragtime create(RagtimeConfig config, MeterRegistry meters) {
    return new Ragtime(config, meters);
  }

  /**
   * The PostgreSQL store's database (its pool), opened once; empty for the Lucene data directory.
   * Closed by {@link #close()}.
   */
  public Optional<PgDatabase> database() {
    return database;
  }

  /**
   * The durable ingestion queue in the PostgreSQL store; empty for the Lucene data directory (which
   * has none: the service ingests posted documents itself).
   */
  public Optional<PgQueue> queue() {
    return queue;
  }

  /**
   * A worker of the durable ingestion queue with this instance's wiring: it opens collections for
   * the configured model and ingests with the same ingestor as {@code ragtime ingest}.
   *
   * @throws IllegalStateException without a PostgreSQL store
   */
  public QueueWorker queueWorker(QueueWorker.Settings settings) {
    PgQueue q =
        queue.orElseThrow(
            () ->
                new IllegalStateException(
                    "queue workers need a PostgreSQL store (--store or RAGTIME_STORE)"));
    return new QueueWorker(q, settings, this::openCollection, this::ingestor, parsers);
  }

  /** Where every meter of this instance is registered. */
  public MeterRegistry meters() {
    return meters;
  }

  public RagtimeConfig config() {
    return config;
  }

  public IndexStore collections() {
    return collections;
  }

  public DocumentParsers parsers() {
    return parsers;
  }

  /**
   * The embedding model's identity. For the local model it is known without loading anything; a
   * remote model without configured dimensions is asked once (one short probe request).
   */
  public ModelInfo modelInfo() {
    if (config.localEmbedding()) {
      return OnnxEmbeddingModel.modelInfo(onnxConfig());
    }
    return pipeline().info();
  }

  /** The configured model's id, without loading it or asking a remote provider. */
  public String modelId() {
    return config.localEmbedding()
        ? OnnxEmbeddingModel.modelInfo(onnxConfig()).id()
        : config.embedding().remoteModelId();
  }

  /**
   * The embedding service every caller shares: the embedding pipeline (cache, single-flight,
   * batching, pacing, retries, breakers, failover) in front of the configured provider. Built on
   * first call; the local ONNX model behind it loads when the first text must be embedded.
   */
  public EmbeddingModel model() {
    return pipeline();
  }

  /**
   * Builds the embedding pipeline (opening its persistent cache) and loads the model now rather
   * than on the first text, so that latency measured around a first query is the query's, not the
   * start-up's; a caller may run this while it opens an index.
   */
  public void loadModel() {
    EmbeddingPipeline p = pipeline();
    if (config.localEmbedding()) {
      onnx();
    } else {
      p.info();
    }
  }

  /** Whether the embedding model is loaded (remote: the pipeline in front of it is built). */
  public boolean modelLoaded() {
    return config.localEmbedding() ? onnx != null : pipeline != null;
  }

  /**
   * The parts the HTTP service is built from: this instance's collections, model, ingestors,
   * searchers, parsers and executor, so {@code ragtime serve} shares the CLI's wiring. With a
   * PostgreSQL store, posted documents go to its durable queue ({@link #queue()}), which queue
   * workers ({@link #queueWorker}) take.
   *
   * @param prometheus this instance's own registry (see {@link #create(RagtimeConfig,
   *     MeterRegistry)}), scraped at {@code /metrics}
   * @throws IllegalArgumentException if {@code prometheus} is not this instance's registry
   */
  public ServerParts serverParts(PrometheusMeterRegistry prometheus) {
    if (prometheus != meters) {
      throw new IllegalArgumentException(
          "the server must scrape this instance's own meter registry; create it with"
              + " Ragtime.create(config, prometheusRegistry)");
    }
    var parts =
        new ServerParts(
            collections,
            this::modelInfo,
            this::ingestor,
            this::searcher,
            parsers,
            executor,
            prometheus,
            this::modelLoaded,
            this::loadModel,
            Clock.systemUTC(),
            this::model,
            text -> tokenCounter().count(text));
    // With a PostgreSQL store, posted documents go to its durable queue, for queue workers.
    return queue.<ServerParts>map(parts::withQueue).orElse(parts);
  }

  /** Live figures of the embedding pipeline, if it has been started. */
  public Optional<PipelineStats> pipelineStats() {
    return Optional.ofNullable(pipeline).map(EmbeddingPipeline::stats);
  }

  private EmbeddingPipeline pipeline() {
    EmbeddingPipeline p = pipeline;
    if (p == null) {
      pipelineLock.lock();
      try {
        p = pipeline;
        if (p == null) {
          var b =
              EmbeddingPipeline.builder(config.embedding())
                  .executor(executor)
                  .meterRegistry(meters)
                  // Spans go to whatever OpenTelemetry is installed globally (the Java agent, or
                  // an SDK registered by an embedding application); a no-op otherwise.
                  .tracer(GlobalOpenTelemetry.getTracer("dev.ragtime"));
          // The persistent cache lives where the collections do: shared by every node in the
          // database, or beside the Lucene collections.
          database.ifPresentOrElse(
              db -> b.persistentCache(PgVectorCache.opener(db.dataSource())),
              () -> b.cacheDirectory(config.dataDir().resolve("embedding-cache")));
          if (config.localEmbedding()) {
            b.localModel(new LazyLocalModel()).tokenCounter(tokenCounter());
          }
          p = b.build();
          pipeline = p;
        }
      } finally {
        pipelineLock.unlock();
      }
    }
    return p;
  }

  private OnnxEmbeddingModel onnx() {
    OnnxEmbeddingModel m = onnx;
    if (m == null) {
      onnxLock.lock();
      try {
        m = onnx;
        if (m == null) {
          m = OnnxEmbeddingModel.load(onnxConfig());
          onnx = m;
        }
      } finally {
        onnxLock.unlock();
      }
    }
    return m;
  }

  /** The local model behind the pipeline: its identity at once, its weights on first use. */
  private final class LazyLocalModel implements EmbeddingModel {
    @Override
    public ModelInfo info() {
      return OnnxEmbeddingModel.modelInfo(onnxConfig());
    }

    @Override
    public List<float[]> embed(List<String> texts) {
      return onnx().embed(texts);
    }

    @Override
    public List<float[]> embed(List<String> texts, Purpose purpose) {
      return onnx().embed(texts, purpose);
    }
  }

  private OnnxModelConfig onnxConfig() {
    var local = config.local();
    OnnxModelConfig c = OnnxModelConfig.defaults(local.model(), config.nativeDir());
    if (local.threads() > 0) {
      c = c.withIntraOpThreads(local.threads());
    }
    if (local.batchSize() > 0) {
      c = c.withBatchSize(local.batchSize());
    }
    return c.withMaxTokens(local.maxTokens());
  }

  /**
   * Counts tokens for chunking: the local model's own tokenizer (loaded on first use), or an
   * estimate for remote models, whose tokenizers we do not ship.
   */
  public TokenCounter tokenCounter() {
    if (!config.localEmbedding()) {
      return TokenCounter.approximate();
    }
    return text -> onnx().tokenCounter().count(text);
  }

  public Chunker chunker() {
    return Chunker.create(config.chunking(), tokenCounter());
  }

  /** Opens (creating if needed) a collection for the configured model. */
  public Index openCollection(String name) {
    return collections.open(name, modelInfo());
  }

  public Ingestor ingestor(Index index) {
    return Ingestor.create(index, this::model, chunker(), config.ingest(), executor);
  }

  /**
   * Retrieval evaluation on BEIR-format datasets, with this instance's model, chunker and ingestion
   * settings; scratch collections live in this data directory.
   */
  public BeirEvaluation evaluation() {
    return BeirEvaluation.create(
        collections, modelInfo(), this::model, chunker(), config.ingest(), executor);
  }

  public Searcher searcher(SearchableIndex index) {
    return Searcher.create(index, this::model, config.search());
  }

  @Override
  public void close() {
    EmbeddingPipeline p = pipeline;
    if (p != null) {
      p.close();
    }
    OnnxEmbeddingModel m = onnx;
    if (m != null) {
      m.close();
    }
    executor.shutdown();
    try {
      if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
    meters.close();
    database.ifPresent(PgDatabase::close); // last: the pipeline wrote its cache through it
  }
}
