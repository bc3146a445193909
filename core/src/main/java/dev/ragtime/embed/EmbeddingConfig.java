package dev.ragtime.embed;

import dev.ragtime.provider.Secret;
import dev.ragtime.provider.WireProtocol;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Settings of the embedding pipeline: which provider, where, which model, and the limits it must
 * respect. Immutable and validated on construction; every error message names the bad value. The
 * API key is a {@link Secret}, so {@link #toString()} is safe to log.
 *
 * <p>Field names match the environment variables {@code RAGTIME_EMBEDDING_<FIELD>} in upper snake
 * case ({@code RAGTIME_EMBEDDING_MAX_BATCH_TOKENS} → {@link #maxBatchTokens()}).
 *
 * @param provider where vectors come from; {@link Provider#LOCAL} is the in-process model
 * @param baseUrl the provider's base URL; empty means the provider's usual local or public address
 *     (see {@link Provider#defaultBaseUrl()}); ignored for {@code LOCAL}
 * @param model the model name; blank means the provider's default ({@link
 *     Provider#defaultModel()}); required for {@code TEI}; ignored for {@code LOCAL}
 * @param apiKey bearer token for the provider, if it needs one
 * @param dimensions output dimensions to request (OpenAI's {@code dimensions}); empty for native
 * @param rpm requests per minute the pipeline may send; 0 means no client-side limit until the
 *     provider reports one in {@code x-ratelimit-limit-requests}
 * @param tpm input tokens per minute; 0 means no client-side limit until reported
 * @param maxBatch most inputs in one request
 * @param maxBatchTokens most (estimated) input tokens in one request; a single longer input is
 *     still sent, alone
 * @param maxConcurrency upper bound, and starting value, of the adaptive limit on requests in
 *     flight (what the provider admits at once)
 * @param timeout per-request timeout (send to last byte of the answer), enforced as a hard bound
 * @param fallbackUrls further endpoints serving the <em>same</em> model, tried in order when the
 *     primary's circuit breaker is open or it keeps failing
 * @param maxWait how long the micro-batcher may hold a partial batch waiting for more texts
 * @param maxInputTokens longest input, in tokens, the model embeds without truncation (recorded as
 *     {@link ModelInfo#maxTokens()})
 * @param maxAttempts failed attempts per batch, the first included, that are <em>not</em> HTTP 429
 *     before a retryable failure is given up; 429s count only against {@code deadline}, because the
 *     provider said when to come back; nor do waits for an open circuit breaker to half-open. Each
 *     half of a batch split (too large) or halved to isolate a rejected input starts a fresh count
 *     under the same deadline
 * @param deadline how long one batch may spend in attempts, back-off, rate-limit and breaker waits
 *     from its first attempt; every request is also bounded by the time left; a batch whose next
 *     wait would pass it fails with a retryable {@link
 *     dev.ragtime.provider.DeadlineExceededException}
 * @param cacheMemoryBytes budget of the in-memory vector cache; 0 disables it
 * @param cachePersistent whether vectors are also persisted under the cache directory given to the
 *     pipeline, so unchanged text is never sent again across runs
 */
public record EmbeddingConfig(
    Provider provider,
    Optional<URI> baseUrl,
    String model,
    Optional<Secret> apiKey,
    OptionalInt dimensions,
    int rpm,
    int tpm,
    int maxBatch,
    int maxBatchTokens,
    int maxConcurrency,
    Duration timeout,
    List<URI> fallbackUrls,
    Duration maxWait,
    int maxInputTokens,
    int maxAttempts,
    Duration deadline,
    long cacheMemoryBytes,
    boolean cachePersistent) {

  public static final Provider DEFAULT_PROVIDER = Provider.LOCAL;
  public static final int DEFAULT_RPM = 0;
  public static final int DEFAULT_TPM = 0;
  public static final int DEFAULT_MAX_BATCH = 32;
  public static final int DEFAULT_MAX_BATCH_TOKENS = 8_192;
  public static final int DEFAULT_MAX_CONCURRENCY = 8;
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_MAX_WAIT = Duration.ofMillis(5);
  public static final int DEFAULT_MAX_INPUT_TOKENS = 8_191;
  public static final int DEFAULT_MAX_ATTEMPTS = 6;
  public static final Duration DEFAULT_DEADLINE = Duration.ofMinutes(2);
  public static final long DEFAULT_CACHE_MEMORY_BYTES = 64L << 20;
  public static final boolean DEFAULT_CACHE_PERSISTENT = true;

  /** Largest batch any provider we know accepts (OpenAI: 2048 inputs). */
  public static final int MAX_BATCH_LIMIT = 2_048;

  /** Where vectors come from. */
  public enum Provider {
    /** The in-process model (ONNX all-MiniLM-L6-v2 by default). */
    LOCAL(null, null, ""),
    /** Any OpenAI-compatible {@code /v1/embeddings} endpoint. */
    OPENAI(WireProtocol.OPENAI, "https://api.openai.com/v1", "text-embedding-3-small"),
    /** Ollama's {@code /api/embed}. */
    OLLAMA(WireProtocol.OLLAMA, "http://localhost:11434", "nomic-embed-text"),
    /** HuggingFace text-embeddings-inference's {@code /embed}; the model must be named. */
    TEI(WireProtocol.TEI, "http://localhost:8080", "");

    private final WireProtocol protocol;
    private final String defaultBaseUrl;
    private final String defaultModel;

    Provider(WireProtocol protocol, String defaultBaseUrl, String defaultModel) {
      this.protocol = protocol;
      this.defaultBaseUrl = defaultBaseUrl;
      this.defaultModel = defaultModel;
    }

    /** The wire dialect, empty for {@link #LOCAL}. */
    public Optional<WireProtocol> protocol() {
      return Optional.ofNullable(protocol);
    }

    /** The address used when no base URL is configured, empty for {@link #LOCAL}. */
    public Optional<URI> defaultBaseUrl() {
      return Optional.ofNullable(defaultBaseUrl).map(URI::create);
    }

    /** The model used when none is configured; blank when there is no sensible default. */
    public String defaultModel() {
      return defaultModel;
    }

    /** Lower-case name as written in config files and model ids ({@code openai}). */
    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a config value, case-insensitively.
     *
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    public static Provider parse(String value) {
      for (Provider p : values()) {
        if (p.key().equalsIgnoreCase(value.strip())) {
          return p;
        }
      }
      throw new IllegalArgumentException(
          "embedding provider must be one of local, openai, ollama, tei; was '" + value + "'");
    }
  }

  public EmbeddingConfig {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(baseUrl, "baseUrl");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(apiKey, "apiKey");
    Objects.requireNonNull(dimensions, "dimensions");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(fallbackUrls, "fallbackUrls");
    Objects.requireNonNull(maxWait, "maxWait");
    Objects.requireNonNull(deadline, "deadline");
    fallbackUrls = List.copyOf(fallbackUrls);
    model = model.strip();

    if (provider != Provider.LOCAL) {
      if (baseUrl.isEmpty()) {
        baseUrl = provider.defaultBaseUrl();
      }
      if (model.isEmpty()) {
        model = provider.defaultModel();
      }
      if (model.isEmpty()) {
        throw new IllegalArgumentException(
            "model must be set for provider "
                + provider.key()
                + " (the model the server runs, e.g. BAAI/bge-small-en-v1.5): it names the"
                + " vectors in the index");
      }
      WireProtocol protocol = provider.protocol().orElseThrow();
      var seen = new HashSet<String>();
      var all = new ArrayList<URI>();
      all.add(baseUrl.orElseThrow());
      all.addAll(fallbackUrls);
      for (URI url : all) {
        if (url.getRawUserInfo() != null) {
          throw new IllegalArgumentException(
              "embedding URLs must not carry credentials (use apiKey); bad URL for host "
                  + url.getHost());
        }
        URI resolved = protocol.embeddingsUri(url);
        if (!seen.add(resolved.toString())) {
          throw new IllegalArgumentException(
              "fallbackUrls must differ from the base URL and from each other; "
                  + resolved
                  + " appears twice");
        }
      }
      if (dimensions.isPresent() && provider == Provider.TEI) {
        throw new IllegalArgumentException(
            "dimensions is not supported by provider tei (was " + dimensions.getAsInt() + ")");
      }
    } else if (!fallbackUrls.isEmpty()) {
      throw new IllegalArgumentException(
          "fallbackUrls apply to remote providers only, but provider is local and fallbackUrls"
              + " is "
              + fallbackUrls);
    }
    if (dimensions.isPresent() && (dimensions.getAsInt() < 1 || dimensions.getAsInt() > 16_384)) {
      throw new IllegalArgumentException(
          "dimensions must be in [1, 16384], was " + dimensions.getAsInt());
    }
    requireRange("rpm", rpm, 0, 100_000_000);
    requireRange("tpm", tpm, 0, 2_000_000_000);
    requireRange("maxBatch", maxBatch, 1, MAX_BATCH_LIMIT);
    requireRange("maxBatchTokens", maxBatchTokens, 1, 100_000_000);
    requireRange("maxConcurrency", maxConcurrency, 1, 1_024);
    requireRange("maxInputTokens", maxInputTokens, 1, 10_000_000);
    requireRange("maxAttempts", maxAttempts, 1, 100);
    if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("timeout must be in (0, 1h], was " + timeout);
    }
    if (maxWait.isNegative() || maxWait.compareTo(Duration.ofSeconds(10)) > 0) {
      throw new IllegalArgumentException("maxWait must be in [0, 10s], was " + maxWait);
    }
    if (deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("deadline must be positive, was " + deadline);
    }
    if (cacheMemoryBytes < 0) {
      throw new IllegalArgumentException("cacheMemoryBytes must be >= 0, was " + cacheMemoryBytes);
    }
  }

  private static void requireRange(String name, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          name + " must be in [" + min + ", " + max + "], was " + value);
    }
  }

  /**
   * The id recorded in indexes for a remote provider's vectors: {@code <provider>:<model>}, e.g.
   * {@code openai:text-embedding-3-small}. The URL is not part of it: every endpoint serving the
   * same model is interchangeable. The dimension is recorded beside it in {@link ModelInfo}.
   *
   * @throws IllegalStateException for {@link Provider#LOCAL}, whose id is the local model's
   */
  public String remoteModelId() {
    if (provider == Provider.LOCAL) {
      throw new IllegalStateException("the local model names itself; no remote model id");
    }
    return provider.key() + ":" + model;
  }

  /** Primary base URL then fallbacks, in the order they are tried (empty for local). */
  public List<URI> endpoints() {
    if (provider == Provider.LOCAL) {
      return List.of();
    }
    var all = new ArrayList<URI>();
    all.add(baseUrl.orElseThrow());
    all.addAll(fallbackUrls);
    return List.copyOf(all);
  }

  /** A builder preset to the defaults (provider {@code local}). */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder preset to this config's values. */
  public Builder toBuilder() {
    var b = new Builder();
    b.provider = provider;
    b.baseUrl = baseUrl;
    b.model = model;
    b.apiKey = apiKey;
    b.dimensions = dimensions;
    b.rpm = rpm;
    b.tpm = tpm;
    b.maxBatch = maxBatch;
    b.maxBatchTokens = maxBatchTokens;
    b.maxConcurrency = maxConcurrency;
    b.timeout = timeout;
    b.fallbackUrls = fallbackUrls;
    b.maxWait = maxWait;
    b.maxInputTokens = maxInputTokens;
    b.maxAttempts = maxAttempts;
    b.deadline = deadline;
    b.cacheMemoryBytes = cacheMemoryBytes;
    b.cachePersistent = cachePersistent;
    return b;
  }

  /** Mutable builder; not thread-safe. {@link #build()} validates. */
  public static final class Builder {
    private Provider provider = DEFAULT_PROVIDER;
    private Optional<URI> baseUrl = Optional.empty();
    private String model = "";
    private Optional<Secret> apiKey = Optional.empty();
    private OptionalInt dimensions = OptionalInt.empty();
    private int rpm = DEFAULT_RPM;
    private int tpm = DEFAULT_TPM;
    private int maxBatch = DEFAULT_MAX_BATCH;
    private int maxBatchTokens = DEFAULT_MAX_BATCH_TOKENS;
    private int maxConcurrency = DEFAULT_MAX_CONCURRENCY;
    private Duration timeout = DEFAULT_TIMEOUT;
    private List<URI> fallbackUrls = List.of();
    private Duration maxWait = DEFAULT_MAX_WAIT;
    private int maxInputTokens = DEFAULT_MAX_INPUT_TOKENS;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration deadline = DEFAULT_DEADLINE;
    private long cacheMemoryBytes = DEFAULT_CACHE_MEMORY_BYTES;
    private boolean cachePersistent = DEFAULT_CACHE_PERSISTENT;

    private Builder() {}

    public Builder provider(Provider provider) {
      this.provider = provider;
      return this;
    }

    public Builder baseUrl(URI baseUrl) {
      this.baseUrl = Optional.of(baseUrl);
      return this;
    }

    public Builder baseUrl(String baseUrl) {
      return baseUrl(URI.create(baseUrl.strip()));
    }

    public Builder model(String model) {
      this.model = model;
      return this;
    }

    public Builder apiKey(Secret apiKey) {
      this.apiKey = Optional.of(apiKey);
      return this;
    }

    public Builder dimensions(int dimensions) {
      this.dimensions = OptionalInt.of(dimensions);
      return this;
    }

    public Builder rpm(int rpm) {
      this.rpm = rpm;
      return this;
    }

    public Builder tpm(int tpm) {
      this.tpm = tpm;
      return this;
    }

    public Builder maxBatch(int maxBatch) {
      this.maxBatch = maxBatch;
      return this;
    }

    public Builder maxBatchTokens(int maxBatchTokens) {
      this.maxBatchTokens = maxBatchTokens;
      return this;
    }

    public Builder maxConcurrency(int maxConcurrency) {
      this.maxConcurrency = maxConcurrency;
      return this;
    }

    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    public Builder fallbackUrls(List<URI> fallbackUrls) {
      this.fallbackUrls = List.copyOf(fallbackUrls);
      return this;
    }

    public Builder maxWait(Duration maxWait) {
      this.maxWait = maxWait;
      return this;
    }

    public Builder maxInputTokens(int maxInputTokens) {
      this.maxInputTokens = maxInputTokens;
      return this;
    }

    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    public Builder deadline(Duration deadline) {
      this.deadline = deadline;
      return this;
    }

    public Builder cacheMemoryBytes(long cacheMemoryBytes) {
      this.cacheMemoryBytes = cacheMemoryBytes;
      return this;
    }

    public Builder cachePersistent(boolean cachePersistent) {
      this.cachePersistent = cachePersistent;
      return this;
    }

    /**
     * @throws IllegalArgumentException naming the first invalid value
     */
    public EmbeddingConfig build() {
      return new EmbeddingConfig(
          provider,
          baseUrl,
          model,
          apiKey,
          dimensions,
          rpm,
          tpm,
          maxBatch,
          maxBatchTokens,
          maxConcurrency,
          timeout,
          fallbackUrls,
          maxWait,
          maxInputTokens,
          maxAttempts,
          deadline,
          cacheMemoryBytes,
          cachePersistent);
    }
  }
}
