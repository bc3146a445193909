package dev.ragtime.simulator;

import java.time.Duration;
import java.util.Objects;

/**
 * Configuration of a {@link ProviderSimulator}. Immutable, validated on construction; every error
 * message names the bad value. Build with {@link #builder()}; every field starts at its {@code
 * DEFAULT_*} constant.
 *
 * <p><b>Rate limits.</b> {@code requestsPerMinute} and {@code tokensPerMinute} are enforced with
 * continuously refilling token buckets whose burst capacity is only {@code burstWindow} worth of
 * the limit (at least one request, at least one token), the way providers quantise a per-minute
 * limit into short windows (OpenAI documents 60,000 RPM being enforced as 1,000 requests per
 * second). So a client that fires a minute's quota at once gets 429s, and a client that paces
 * itself at the limit does not. A request costing more tokens than the burst capacity is admitted
 * when the token bucket is full and drives it into debt. See {@link ProviderSimulator} for the
 * headers.
 *
 * @param port TCP port on 127.0.0.1; 0 picks a free ephemeral port
 * @param model the model served by TEI (whose requests name none) and the only model accepted when
 *     {@code acceptAnyModel} is false
 * @param acceptAnyModel when true any model name is served (vectors depend on the name); when false
 *     other names get 404 {@code model_not_found}
 * @param dimension the model's full vector length; requests may ask for fewer via {@code
 *     dimensions}
 * @param requestsPerMinute requests-per-minute limit, 0 for none
 * @param tokensPerMinute tokens-per-minute limit, 0 for none
 * @param burstWindow the window the per-minute limits are quantised to, in (0, 60 s]; 60 s gives a
 *     plain per-minute bucket
 * @param maxConcurrentRequests admitted requests in progress at once before 429, 0 for no limit
 * @param maxInputsPerRequest more inputs in one request get an error (OpenAI allows 2,048)
 * @param maxTokensPerRequest more tokens in one request get an error (OpenAI allows 300,000)
 * @param maxTokensPerInput a longer input gets an error (OpenAI's context length is 8,192)
 * @param baseLatency time added to every successful or failed (5xx) response
 * @param latencyPerToken time added per token of a successful request
 * @param latencyJitter upper bound of a uniform random delay added to a successful response
 * @param faults faults injected from the start; changeable at run time
 * @param seed seed of every random choice (faults, jitter); a fixed seed and a fixed request order
 *     reproduce a run
 * @param trackTexts whether to count successful embeddings per distinct text (memory grows with the
 *     number of distinct texts; turn off for long benchmarks)
 * @param adminEndpoints whether to serve {@code /_sim/*} control endpoints (for a standalone
 *     simulator in another process)
 * @param idleTimeout a keep-alive connection idle this long is closed by the server
 * @param maxRequestBytes a larger request body gets 413 and the connection is closed
 */
public record SimulatorConfig(
    int port,
    String model,
    boolean acceptAnyModel,
    int dimension,
    int requestsPerMinute,
    long tokensPerMinute,
    Duration burstWindow,
    int maxConcurrentRequests,
    int maxInputsPerRequest,
    int maxTokensPerRequest,
    int maxTokensPerInput,
    Duration baseLatency,
    Duration latencyPerToken,
    Duration latencyJitter,
    Faults faults,
    long seed,
    boolean trackTexts,
    boolean adminEndpoints,
    Duration idleTimeout,
    int maxRequestBytes) {

  public static final int DEFAULT_PORT = 0;
  public static final String DEFAULT_MODEL = "ragtime-sim-embed";
  public static final boolean DEFAULT_ACCEPT_ANY_MODEL = true;
  public static final int DEFAULT_DIMENSION = 384;
  public static final int DEFAULT_REQUESTS_PER_MINUTE = 0;
  public static final long DEFAULT_TOKENS_PER_MINUTE = 0;
  public static final Duration DEFAULT_BURST_WINDOW = Duration.ofSeconds(1);
  public static final int DEFAULT_MAX_CONCURRENT_REQUESTS = 0;
  public static final int DEFAULT_MAX_INPUTS_PER_REQUEST = 2048;
  public static final int DEFAULT_MAX_TOKENS_PER_REQUEST = 300_000;
  public static final int DEFAULT_MAX_TOKENS_PER_INPUT = 8192;
  public static final Duration DEFAULT_BASE_LATENCY = Duration.ZERO;
  public static final Duration DEFAULT_LATENCY_PER_TOKEN = Duration.ZERO;
  public static final Duration DEFAULT_LATENCY_JITTER = Duration.ZERO;
  public static final long DEFAULT_SEED = 42;
  public static final boolean DEFAULT_TRACK_TEXTS = true;
  public static final boolean DEFAULT_ADMIN_ENDPOINTS = false;
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
  public static final int DEFAULT_MAX_REQUEST_BYTES = 64 * 1024 * 1024;

  public SimulatorConfig {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be in [0, 65535], was " + port);
    }
    Objects.requireNonNull(model, "model");
    if (model.isBlank()) {
      throw new IllegalArgumentException("model must not be blank, was '" + model + "'");
    }
    if (dimension < 1 || dimension > 16_384) {
      throw new IllegalArgumentException("dimension must be in [1, 16384], was " + dimension);
    }
    if (requestsPerMinute < 0) {
      throw new IllegalArgumentException(
          "requestsPerMinute must be >= 0 (0 = unlimited), was " + requestsPerMinute);
    }
    if (tokensPerMinute < 0) {
      throw new IllegalArgumentException(
          "tokensPerMinute must be >= 0 (0 = unlimited), was " + tokensPerMinute);
    }
    Objects.requireNonNull(burstWindow, "burstWindow");
    if (burstWindow.isNegative()
        || burstWindow.isZero()
        || burstWindow.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new IllegalArgumentException("burstWindow must be in (0, 60s], was " + burstWindow);
    }
    if (maxConcurrentRequests < 0) {
      throw new IllegalArgumentException(
          "maxConcurrentRequests must be >= 0 (0 = unlimited), was " + maxConcurrentRequests);
    }
    if (maxInputsPerRequest < 1) {
      throw new IllegalArgumentException(
          "maxInputsPerRequest must be positive, was " + maxInputsPerRequest);
    }
    if (maxTokensPerRequest < 1) {
      throw new IllegalArgumentException(
          "maxTokensPerRequest must be positive, was " + maxTokensPerRequest);
    }
    if (maxTokensPerInput < 1) {
      throw new IllegalArgumentException(
          "maxTokensPerInput must be positive, was " + maxTokensPerInput);
    }
    requireNonNegative("baseLatency", baseLatency);
    requireNonNegative("latencyPerToken", latencyPerToken);
    requireNonNegative("latencyJitter", latencyJitter);
    Objects.requireNonNull(faults, "faults");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    if (idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("idleTimeout must be positive, was " + idleTimeout);
    }
    if (maxRequestBytes < 1024) {
      throw new IllegalArgumentException(
          "maxRequestBytes must be at least 1024, was " + maxRequestBytes);
    }
  }

  private static void requireNonNegative(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative, was " + value);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder()
        .port(port)
        .model(model)
        .acceptAnyModel(acceptAnyModel)
        .dimension(dimension)
        .requestsPerMinute(requestsPerMinute)
        .tokensPerMinute(tokensPerMinute)
        .burstWindow(burstWindow)
        .maxConcurrentRequests(maxConcurrentRequests)
        .maxInputsPerRequest(maxInputsPerRequest)
        .maxTokensPerRequest(maxTokensPerRequest)
        .maxTokensPerInput(maxTokensPerInput)
        .baseLatency(baseLatency)
        .latencyPerToken(latencyPerToken)
        .latencyJitter(latencyJitter)
        .faults(faults)
        .seed(seed)
        .trackTexts(trackTexts)
        .adminEndpoints(adminEndpoints)
        .idleTimeout(idleTimeout)
        .maxRequestBytes(maxRequestBytes);
  }

  /** Builder preset to the {@code DEFAULT_*} values. Not thread-safe. */
  public static final class Builder {
    private int port = DEFAULT_PORT;
    private String model = DEFAULT_MODEL;
    private boolean acceptAnyModel = DEFAULT_ACCEPT_ANY_MODEL;
    private int dimension = DEFAULT_DIMENSION;
    private int requestsPerMinute = DEFAULT_REQUESTS_PER_MINUTE;
    private long tokensPerMinute = DEFAULT_TOKENS_PER_MINUTE;
    private Duration burstWindow = DEFAULT_BURST_WINDOW;
    private int maxConcurrentRequests = DEFAULT_MAX_CONCURRENT_REQUESTS;
    private int maxInputsPerRequest = DEFAULT_MAX_INPUTS_PER_REQUEST;
    private int maxTokensPerRequest = DEFAULT_MAX_TOKENS_PER_REQUEST;
    private int maxTokensPerInput = DEFAULT_MAX_TOKENS_PER_INPUT;
    private Duration baseLatency = DEFAULT_BASE_LATENCY;
    private Duration latencyPerToken = DEFAULT_LATENCY_PER_TOKEN;
    private Duration latencyJitter = DEFAULT_LATENCY_JITTER;
    private Faults faults = Faults.NONE;
    private long seed = DEFAULT_SEED;
    private boolean trackTexts = DEFAULT_TRACK_TEXTS;
    private boolean adminEndpoints = DEFAULT_ADMIN_ENDPOINTS;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    private int maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;

    private Builder() {}

    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder model(String model) {
      this.model = model;
      return this;
    }

    public Builder acceptAnyModel(boolean acceptAnyModel) {
      this.acceptAnyModel = acceptAnyModel;
      return this;
    }

    public Builder dimension(int dimension) {
      this.dimension = dimension;
      return this;
    }

    public Builder requestsPerMinute(int requestsPerMinute) {
      this.requestsPerMinute = requestsPerMinute;
      return this;
    }

    public Builder tokensPerMinute(long tokensPerMinute) {
      this.tokensPerMinute = tokensPerMinute;
      return this;
    }

    public Builder burstWindow(Duration burstWindow) {
      this.burstWindow = burstWindow;
      return this;
    }

    public Builder maxConcurrentRequests(int maxConcurrentRequests) {
      this.maxConcurrentRequests = maxConcurrentRequests;
      return this;
    }

    public Builder maxInputsPerRequest(int maxInputsPerRequest) {
      this.maxInputsPerRequest = maxInputsPerRequest;
      return this;
    }

    public Builder maxTokensPerRequest(int maxTokensPerRequest) {
      this.maxTokensPerRequest = maxTokensPerRequest;
      return this;
    }

    public Builder maxTokensPerInput(int maxTokensPerInput) {
      this.maxTokensPerInput = maxTokensPerInput;
      return this;
    }

    public Builder baseLatency(Duration baseLatency) {
      this.baseLatency = baseLatency;
      return this;
    }

    public Builder latencyPerToken(Duration latencyPerToken) {
      this.latencyPerToken = latencyPerToken;
      return this;
    }

    public Builder latencyJitter(Duration latencyJitter) {
      this.latencyJitter = latencyJitter;
      return this;
    }

    public Builder faults(Faults faults) {
      this.faults = faults;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder trackTexts(boolean trackTexts) {
      this.trackTexts = trackTexts;
      return this;
    }

    public Builder adminEndpoints(boolean adminEndpoints) {
      this.adminEndpoints = adminEndpoints;
      return this;
    }

    public Builder idleTimeout(Duration idleTimeout) {
      this.idleTimeout = idleTimeout;
      return this;
    }

    public Builder maxRequestBytes(int maxRequestBytes) {
      this.maxRequestBytes = maxRequestBytes;
      return this;
    }

    public SimulatorConfig build() {
      return new SimulatorConfig(
          port,
          model,
          acceptAnyModel,
          dimension,
          requestsPerMinute,
          tokensPerMinute,
          burstWindow,
          maxConcurrentRequests,
          maxInputsPerRequest,
          maxTokensPerRequest,
          maxTokensPerInput,
          baseLatency,
          latencyPerToken,
          latencyJitter,
          faults,
          seed,
          trackTexts,
          adminEndpoints,
          idleTimeout,
          maxRequestBytes);
    }
  }
}
