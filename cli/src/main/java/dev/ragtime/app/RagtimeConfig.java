package dev.ragtime.app;

import dev.ragtime.chunk.ChunkerConfig;
import dev.ragtime.config.ConfigException;
import dev.ragtime.config.Settings;
import dev.ragtime.embed.EmbeddingConfig;
import dev.ragtime.index.IndexConfig;
import dev.ragtime.ingest.IngestConfig;
import dev.ragtime.onnx.LocalModel;
import dev.ragtime.postgres.PgSettings;
import dev.ragtime.provider.Secret;
import dev.ragtime.search.Fusion;
import dev.ragtime.search.ScoreNormalization;
import dev.ragtime.search.SearchConfig;
import dev.ragtime.server.auth.ApiKeys;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Everything Ragtime is configured with, resolved from {@link Settings} (YAML file + {@code
 * RAGTIME_…} environment) and command-line overrides. Immutable.
 *
 * @param dataDir where collections and caches live ({@code data}, {@code RAGTIME_DATA}, {@code
 *     --data}; default {@code ./ragtime-data})
 * @param nativeDir where native libraries of the local model are unpacked once ({@code native-dir};
 *     default {@code $XDG_CACHE_HOME/ragtime} or {@code ~/.cache/ragtime})
 * @param local the local ONNX model's settings
 * @param apiKeys the keys {@code ragtime serve} requires ({@code RAGTIME_API_KEYS}, environment
 *     only; format in {@link ApiKeys}); none by default
 * @param store the shared PostgreSQL store ({@code store}, {@code RAGTIME_STORE}, {@code --store};
 *     password only from the environment); empty for the Lucene collections under {@code dataDir}
 */
public record RagtimeConfig(
    Path dataDir,
    Path nativeDir,
    LocalModelSettings local,
    EmbeddingConfig embedding,
    ChunkerConfig chunking,
    SearchConfig search,
    IndexConfig index,
    IngestConfig ingest,
    ApiKeys apiKeys,
    Optional<PgSettings> store) {

  public static final Path DEFAULT_DATA_DIR = Path.of("ragtime-data");

  public RagtimeConfig {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(nativeDir, "nativeDir");
    Objects.requireNonNull(local, "local");
    Objects.requireNonNull(embedding, "embedding");
    Objects.requireNonNull(chunking, "chunking");
    Objects.requireNonNull(search, "search");
    Objects.requireNonNull(index, "index");
    Objects.requireNonNull(ingest, "ingest");
    Objects.requireNonNull(apiKeys, "apiKeys");
    Objects.requireNonNull(store, "store");
  }

  /**
   * Settings of the local model. {@code threads} 0 means one per available processor; {@code
   * maxTokens} is the model's own limit unless {@code local.max-tokens} is set.
   */
  public record LocalModelSettings(LocalModel model, int threads, int maxTokens, int batchSize) {
    public LocalModelSettings {
      Objects.requireNonNull(model, "model");
    }
  }

  /** Every key Ragtime reads; anything else in the file or environment is reported as a typo. */
  public static Set<String> knownKeys() {
    var keys =
        new TreeSet<>(
            Set.of(
                "data",
                "native-dir",
                "api-keys",
                "store",
                "store-password",
                "store-pool-size",
                "local.model",
                "local.threads",
                "local.max-tokens",
                "local.batch-size",
                "embedding.provider",
                "embedding.base-url",
                "embedding.model",
                "embedding.api-key",
                "embedding.dimensions",
                "embedding.rpm",
                "embedding.tpm",
                "embedding.max-batch",
                "embedding.max-batch-tokens",
                "embedding.max-concurrency",
                "embedding.timeout",
                "embedding.fallback-urls",
                "embedding.max-wait",
                "embedding.max-input-tokens",
                "embedding.max-attempts",
                "embedding.deadline",
                "embedding.cache-memory-bytes",
                "embedding.cache-persistent",
                "chunking.max-tokens",
                "chunking.overlap-tokens",
                "chunking.min-chunk-tokens",
                "search.rrf-k",
                "search.candidates",
                "search.lexical-weight",
                "search.vector-weight",
                "search.fusion",
                "search.score-weight",
                "search.score-normalization",
                "index.hnsw-m",
                "index.hnsw-beam-width",
                "index.ram-buffer-mb",
                "ingest.documents-in-flight",
                "ingest.commit-documents",
                "ingest.commit-interval",
                "ingest.max-file-bytes"));
    return keys;
  }

  /**
   * Resolves the configuration.
   *
   * @param settings file + environment
   * @param dataOverride {@code --data} from the command line, if given
   * @param env the environment, for the default cache location
   */
  public static RagtimeConfig from(
      Settings settings, Optional<Path> dataOverride, Map<String, String> env) {
    return from(settings, dataOverride, Optional.empty(), env);
  }

  /**
   * Resolves the configuration.
   *
   * @param settings file + environment
   * @param dataOverride {@code --data} from the command line, if given
   * @param storeOverride {@code --store} from the command line, if given
   * @param env the environment, for the default cache location and the store's password
   */
  public static RagtimeConfig from(
      Settings settings,
      Optional<Path> dataOverride,
      Optional<String> storeOverride,
      Map<String, String> env) {
    settings.requireKnown(knownKeys());
    Path data =
        dataOverride.orElseGet(
            () -> settings.string("data").map(Path::of).orElse(DEFAULT_DATA_DIR));
    Path natives =
        settings.string("native-dir").map(Path::of).orElseGet(() -> defaultCacheDir(env));
    LocalModel model;
    try {
      model = settings.string("local.model").map(LocalModel::parse).orElse(LocalModel.DEFAULT);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("local.model: " + e.getMessage(), e);
    }
    var local =
        new LocalModelSettings(
            model,
            settings.integer("local.threads", 0),
            settings.integer("local.max-tokens", model.maxTokens()),
            settings.integer("local.batch-size", 0));
    EmbeddingConfig embedding = embedding(settings, local);
    ChunkerConfig cd = ChunkerConfig.defaults();
    var chunking =
        new ChunkerConfig(
            settings.integer("chunking.max-tokens", cd.maxTokens()),
            settings.integer("chunking.overlap-tokens", cd.overlapTokens()),
            settings.integer("chunking.min-chunk-tokens", cd.minChunkTokens()));
    SearchConfig search =
        search(settings, embedding.provider() == EmbeddingConfig.Provider.LOCAL ? model : null);
    IndexConfig id = IndexConfig.DEFAULT;
    var index =
        new IndexConfig(
            settings.integer("index.hnsw-m", id.hnswM()),
            settings.integer("index.hnsw-beam-width", id.hnswBeamWidth()),
            settings.decimal("index.ram-buffer-mb", id.ramBufferMb()));
    IngestConfig ig = IngestConfig.DEFAULT;
    var ingest =
        new IngestConfig(
            // Enough concurrent documents to keep every allowed request full and the next batch
            // forming: fewer would leave the pipeline's batches part-empty, or the model idle
            // between batches (measured in docs/BENCHMARKS.md).
            settings.integer(
                "ingest.documents-in-flight",
                Math.min(
                    10_000,
                    Math.max(
                        ig.documentsInFlight(),
                        (embedding.maxConcurrency() + 1) * embedding.maxBatch()))),
            settings.integer("ingest.commit-documents", ig.commitDocuments()),
            settings.duration("ingest.commit-interval", ig.commitInterval()),
            settings
                .string("ingest.max-file-bytes")
                .map(Long::parseLong)
                .orElse(ig.maxFileBytes()));
    ApiKeys keys = settings.string("api-keys").map(ApiKeys::parse).orElse(ApiKeys.none());
    return new RagtimeConfig(
        data,
        natives,
        local,
        embedding,
        chunking,
        search,
        index,
        ingest,
        keys,
        store(settings, storeOverride, env));
  }

  /** The same configuration with another embedding configuration. */
  public RagtimeConfig withEmbedding(EmbeddingConfig newEmbedding) {
    return new RagtimeConfig(
        dataDir, nativeDir, local, newEmbedding, chunking, search, index, ingest, apiKeys, store);
  }

  /**
   * The PostgreSQL store, if one is named: {@code --store} wins over {@code store}. A password may
   * come only from the environment: inside {@code RAGTIME_STORE}'s URL, or from {@code
   * RAGTIME_STORE_PASSWORD} / {@code PGPASSWORD}; one inside the YAML file's or the command line's
   * URL is refused (the file is shared, the command line is visible to every user of the machine).
   */
  private static Optional<PgSettings> store(
      Settings s, Optional<String> override, Map<String, String> env) {
    Optional<String> url = override.filter(u -> !u.isBlank()).or(() -> s.string("store"));
    if (url.isEmpty()) {
      return Optional.empty();
    }
    String source = override.isPresent() ? "--store" : s.source("store");
    if (!source.startsWith("environment") && hasPassword(url.get())) {
      throw new ConfigException(
          "the store URL of "
              + source
              + " contains a password; passwords are read only from the environment: set "
              + PgSettings.PASSWORD_ENV
              + " (or PGPASSWORD), or give the whole URL in RAGTIME_STORE");
    }
    try {
      PgSettings pg = PgSettings.parse(url.get(), env);
      return Optional.of(pg.withPoolSize(s.integer("store-pool-size", pg.poolSize())));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("store (" + source + "): " + e.getMessage(), e);
    }
  }

  /** Whether a URL carries {@code user:password@}; false for anything that does not parse. */
  private static boolean hasPassword(String url) {
    try {
      String userInfo = new URI(url.strip()).getRawUserInfo();
      return userInfo != null && userInfo.indexOf(':') >= 0;
    } catch (URISyntaxException e) {
      return url.matches("(?s).*://[^/@]*:[^/@]*@.*"); // PgSettings reports the bad syntax
    }
  }

  /** Whether collections, cache and queue live in PostgreSQL rather than under {@code dataDir}. */
  public boolean postgres() {
    return store.isPresent();
  }

  /** Whether vectors come from the in-process model. */
  public boolean localEmbedding() {
    return embedding.provider() == EmbeddingConfig.Provider.LOCAL;
  }

  /** Inputs per request to the local model (its own batches are smaller, see above). */
  static final int LOCAL_MAX_BATCH = 256;

  /** Word-pieces per request to the local model. */
  static final int LOCAL_MAX_BATCH_TOKENS = 32_768;

  private static EmbeddingConfig embedding(Settings s, LocalModelSettings local) {
    try {
      var b = EmbeddingConfig.builder();
      var provider = EmbeddingConfig.Provider.parse(s.string("embedding.provider", "local"));
      b.provider(provider);
      s.string("embedding.base-url").ifPresent(b::baseUrl);
      s.string("embedding.model").ifPresent(b::model);
      s.string("embedding.api-key").map(Secret::of).ifPresent(b::apiKey);
      s.integer("embedding.dimensions").ifPresent(b::dimensions);
      s.integer("embedding.rpm").ifPresent(b::rpm);
      s.integer("embedding.tpm").ifPresent(b::tpm);
      boolean isLocal = provider == EmbeddingConfig.Provider.LOCAL;
      // The local model sorts each request by length and pads per sub-batch of its own, so a
      // larger request wastes less on padding: 0.76x -> 0.91x of a plain ONNX Runtime loop that
      // sorts everything up front (docs/BENCHMARKS.md). There is no remote quota to respect.
      b.maxBatch(
          s.integer(
              "embedding.max-batch",
              isLocal ? LOCAL_MAX_BATCH : EmbeddingConfig.DEFAULT_MAX_BATCH));
      b.maxBatchTokens(
          s.integer(
              "embedding.max-batch-tokens",
              isLocal ? LOCAL_MAX_BATCH_TOKENS : EmbeddingConfig.DEFAULT_MAX_BATCH_TOKENS));
      // The local model already uses every core inside one run: more than one batch at a time
      // only adds contention. Remote providers default to the pipeline's adaptive bound.
      b.maxConcurrency(
          s.integer(
              "embedding.max-concurrency", isLocal ? 1 : EmbeddingConfig.DEFAULT_MAX_CONCURRENCY));
      s.duration("embedding.timeout").ifPresent(b::timeout);
      b.fallbackUrls(s.list("embedding.fallback-urls").stream().map(URI::create).toList());
      s.duration("embedding.max-wait").ifPresent(b::maxWait);
      if (isLocal) {
        b.maxInputTokens(local.maxTokens());
      } else {
        s.integer("embedding.max-input-tokens").ifPresent(b::maxInputTokens);
      }
      s.integer("embedding.max-attempts").ifPresent(b::maxAttempts);
      s.duration("embedding.deadline").ifPresent(b::deadline);
      s.string("embedding.cache-memory-bytes").map(Long::parseLong).ifPresent(b::cacheMemoryBytes);
      b.cachePersistent(s.bool("embedding.cache-persistent", true));
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new ConfigException("embedding configuration: " + e.getMessage(), e);
    }
  }

  /**
   * The search settings; score fusion's weight and normalisation default to the local model's
   * (tuned per model), or to {@link SearchConfig#DEFAULT}'s for a remote provider ({@code model}
   * null).
   */
  private static SearchConfig search(Settings s, LocalModel model) {
    SearchConfig d = SearchConfig.DEFAULT;
    double scoreWeight = model == null ? d.scoreWeight() : model.scoreWeight();
    ScoreNormalization normalization = model == null ? d.normalization() : model.normalization();
    try {
      return new SearchConfig(
          s.integer("search.rrf-k", d.rrfK()),
          s.integer("search.candidates", d.candidates()),
          s.decimal("search.lexical-weight", d.lexicalWeight()),
          s.decimal("search.vector-weight", d.vectorWeight()),
          s.string("search.fusion").map(Fusion::parse).orElse(d.fusion()),
          s.decimal("search.score-weight", scoreWeight),
          s.string("search.score-normalization")
              .map(ScoreNormalization::parse)
              .orElse(normalization));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("search configuration: " + e.getMessage(), e);
    }
  }

  static Path defaultCacheDir(Map<String, String> env) {
    String xdg = env.get("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return Path.of(xdg, "ragtime");
    }
    return Path.of(System.getProperty("user.home"), ".cache", "ragtime");
  }
}
