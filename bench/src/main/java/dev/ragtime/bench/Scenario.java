package dev.ragtime.bench;

import dev.ragtime.simulator.Faults;
import dev.ragtime.simulator.SimulatorConfig;
import java.time.Duration;
import java.util.Objects;

/**
 * One provider the contenders run against: the simulator's limits, latency model and faults, plus
 * the batch size and concurrency the configurable contenders (Ragtime, the legacy replica) are
 * given. Immutable.
 *
 * <p>The throughput ceiling of a client whose requests carry {@code T} tokens on average is
 *
 * <pre>
 * min(tpm / 60, rpm / 60 × T, concurrency × T / (baseLatency + latencyPerToken × T))   tokens/s
 * </pre>
 *
 * with a term left out when its limit is 0 (none). {@code concurrency} is what the provider admits
 * in flight (the simulator answers 429 beyond it), so a client that sends one request at a time is
 * measured against the same ceiling as one that uses every slot.
 *
 * @param name short name used in tables and file names
 * @param description one line for the report
 * @param rpm requests per minute the provider admits, 0 for no limit
 * @param tpm tokens per minute the provider admits, 0 for no limit
 * @param concurrency requests the provider admits in flight, and the concurrency Ragtime and the
 *     legacy replica are configured with
 * @param baseLatency latency of every request
 * @param latencyPerToken latency added per token of a request
 * @param maxBatch texts per request for Ragtime and the legacy replica
 * @param faults injected faults
 * @param burstWindow the window the provider enforces its per-minute limits over: its buckets hold
 *     this much of the quota (the simulator's {@code burstWindow}, 1 s unless a scenario says
 *     otherwise); it does not change the ceiling, only how much burst the provider tolerates
 */
record Scenario(
    String name,
    String description,
    int rpm,
    long tpm,
    int concurrency,
    Duration baseLatency,
    Duration latencyPerToken,
    int maxBatch,
    Faults faults,
    Duration burstWindow) {

  /** Model name served and requested. */
  static final String MODEL = "text-embedding-3-small";

  /** Vector length: small, so writing JSON floats does not dominate the simulator's work. */
  static final int DIMENSION = 64;

  static final int DEFAULT_MAX_BATCH = 32;

  Scenario {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(baseLatency, "baseLatency");
    Objects.requireNonNull(latencyPerToken, "latencyPerToken");
    Objects.requireNonNull(faults, "faults");
    Objects.requireNonNull(burstWindow, "burstWindow");
    if (!name.matches("[a-z0-9-]+")) {
      throw new IllegalArgumentException("name must be [a-z0-9-]+, was '" + name + "'");
    }
    if (rpm < 0 || tpm < 0) {
      throw new IllegalArgumentException(
          "rpm and tpm must be >= 0 (0 = none), were " + rpm + " and " + tpm);
    }
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be positive, was " + concurrency);
    }
    if (maxBatch < 1 || maxBatch > 2048) {
      throw new IllegalArgumentException("maxBatch must be in [1, 2048], was " + maxBatch);
    }
    if (baseLatency.isNegative() || latencyPerToken.isNegative()) {
      throw new IllegalArgumentException(
          "latencies must not be negative, were " + baseLatency + " and " + latencyPerToken);
    }
    if (baseLatency.isZero() && latencyPerToken.isZero()) {
      throw new IllegalArgumentException("a scenario needs some latency (both latencies are 0)");
    }
    if (!burstWindow.isPositive() || burstWindow.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new IllegalArgumentException("burstWindow must be in (0, 60 s], was " + burstWindow);
    }
  }

  /** A scenario whose provider enforces its limits over the simulator's default 1 s windows. */
  Scenario(
      String name,
      String description,
      int rpm,
      long tpm,
      int concurrency,
      Duration baseLatency,
      Duration latencyPerToken,
      int maxBatch,
      Faults faults) {
    this(
        name,
        description,
        rpm,
        tpm,
        concurrency,
        baseLatency,
        latencyPerToken,
        maxBatch,
        faults,
        SimulatorConfig.DEFAULT_BURST_WINDOW);
  }

  /**
   * Bound by tokens per minute: the limit is set so that a client at the ceiling embeds the whole
   * workload in {@code seconds}; requests per minute and concurrency are generous, latency modest.
   */
  static Scenario tokensBound(long workloadTokens, double seconds) {
    long tpm = Math.max(1, Math.round(workloadTokens / seconds * 60));
    return new Scenario(
        "tokens",
        "bound by tokens per minute ("
            + tpm
            + " TPM), RPM 10,000, 16 in flight, 50 ms + 5 µs/token",
        10_000,
        tpm,
        16,
        Duration.ofMillis(50),
        Duration.ofNanos(5_000),
        DEFAULT_MAX_BATCH,
        Faults.NONE);
  }

  /** Bound by latency: generous limits, 8 requests in flight, 200 ms + 10 µs per token. */
  static Scenario latencyBound() {
    return new Scenario(
        "latency",
        "bound by latency: 8 in flight, 200 ms + 10 µs/token, RPM 100,000, no TPM limit",
        100_000,
        0,
        8,
        Duration.ofMillis(200),
        Duration.ofNanos(10_000),
        DEFAULT_MAX_BATCH,
        Faults.NONE);
  }

  /** The latency-bound provider failing now and then: 2% 5xx and 0.5% connection resets. */
  static Scenario faulty() {
    Faults faults =
        Faults.builder()
            .http500Probability(0.01)
            .http502Probability(0.005)
            .http503Probability(0.005)
            .resetProbability(0.005)
            .build();
    return new Scenario(
        "faults",
        "as latency, plus 1% 500, 0.5% 502, 0.5% 503 and 0.5% connection resets",
        100_000,
        0,
        8,
        Duration.ofMillis(200),
        Duration.ofNanos(10_000),
        DEFAULT_MAX_BATCH,
        faults);
  }

  /**
   * A provider that enforces its limits over short windows: 150,000 tokens/s (TPM 9,000,000) and 40
   * requests/s (RPM 2,400) with buckets of only 0.2 s of quota (30,000 tokens, 8 requests), 16 in
   * flight, latency 50 ms + 5 µs/token, and failing now and then: 5% 5xx (2.5% 500, 1.25% 502,
   * 1.25% 503) and 1% connection resets. A client that paces at the limit but bursts more than 0.2
   * s of quota (after a pause, or at the start) draws 429s.
   */
  static Scenario shortWindow() {
    Faults faults =
        Faults.builder()
            .http500Probability(0.025)
            .http502Probability(0.0125)
            .http503Probability(0.0125)
            .resetProbability(0.01)
            .build();
    return new Scenario(
        "short-window",
        "TPM 9,000,000 and RPM 2,400 enforced over 0.2 s windows (150,000 tokens/s, 40 requests/s),"
            + " 16 in flight, 50 ms + 5 µs/token, 2.5% 500, 1.25% 502, 1.25% 503, 1% connection"
            + " resets",
        2_400,
        9_000_000,
        16,
        Duration.ofMillis(50),
        Duration.ofNanos(5_000),
        DEFAULT_MAX_BATCH,
        faults,
        Duration.ofMillis(200));
  }

  /**
   * The simulator for this scenario (ephemeral port, texts tracked, fixed seed, admin endpoints on
   * for {@link Warmup#resetCounters}).
   */
  SimulatorConfig simulatorConfig(long seed) {
    return SimulatorConfig.builder()
        .model(MODEL)
        .dimension(DIMENSION)
        .requestsPerMinute(rpm)
        .tokensPerMinute(tpm)
        .burstWindow(burstWindow)
        .maxConcurrentRequests(concurrency)
        .baseLatency(baseLatency)
        .latencyPerToken(latencyPerToken)
        .faults(faults)
        .seed(seed)
        .trackTexts(true)
        .adminEndpoints(true)
        .build();
  }

  /**
   * The throughput ceiling in tokens per second for requests of {@code tokensPerRequest} tokens on
   * average (see the class comment).
   */
  double ceiling(double tokensPerRequest) {
    if (!(tokensPerRequest > 0)) {
      throw new IllegalArgumentException(
          "tokensPerRequest must be positive, was " + tokensPerRequest);
    }
    double latencySeconds =
        (baseLatency.toNanos() + latencyPerToken.toNanos() * tokensPerRequest) / 1e9;
    double ceiling = concurrency * tokensPerRequest / latencySeconds;
    if (tpm > 0) {
      ceiling = Math.min(ceiling, tpm / 60.0);
    }
    if (rpm > 0) {
      ceiling = Math.min(ceiling, rpm / 60.0 * tokensPerRequest);
    }
    return ceiling;
  }

  /** Which term of the ceiling binds for requests of {@code tokensPerRequest} tokens. */
  String bindingLimit(double tokensPerRequest) {
    double c = ceiling(tokensPerRequest);
    if (tpm > 0 && c == tpm / 60.0) {
      return "TPM";
    }
    if (rpm > 0 && c == rpm / 60.0 * tokensPerRequest) {
      return "RPM";
    }
    return "concurrency/latency";
  }
}
