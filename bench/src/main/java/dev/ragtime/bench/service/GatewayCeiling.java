package dev.ragtime.bench.service;

import java.time.Duration;

/**
 * The most texts per second that clients sending single texts can get embedded through a gateway
 * that merges them into batches of at most {@code maxBatch}, against a provider with these limits
 * (DESIGN.md §6, in texts instead of tokens):
 *
 * <pre>
 * batch = min(maxBatch, clients)          texts in a request at best (each client has one waiting)
 * min(rpm / 60 × batch, tpm / 60 / tokensPerText, concurrency × batch / latency(batch))   texts/s
 * </pre>
 *
 * with a term left out when its limit is 0 (none), and {@code latency(batch) = baseLatency +
 * latencyPerToken × batch × tokensPerText}. Pure and immutable.
 *
 * @param rpm requests per minute the provider admits, 0 for none
 * @param tpm tokens per minute the provider admits, 0 for none
 * @param concurrency requests the provider admits in flight
 * @param baseLatency latency of every request
 * @param latencyPerToken latency added per token
 * @param maxBatch most texts the gateway puts in one request
 * @param clients clients, each with one text outstanding at a time
 * @param tokensPerText mean tokens of one text, as the provider counts them
 */
record GatewayCeiling(
    int rpm,
    long tpm,
    int concurrency,
    Duration baseLatency,
    Duration latencyPerToken,
    int maxBatch,
    int clients,
    double tokensPerText) {

  GatewayCeiling {
    if (rpm < 0 || tpm < 0) {
      throw new IllegalArgumentException("rpm and tpm must be >= 0, were " + rpm + ", " + tpm);
    }
    if (concurrency < 1 || maxBatch < 1 || clients < 1) {
      throw new IllegalArgumentException(
          "concurrency, maxBatch and clients must be positive, were "
              + concurrency
              + ", "
              + maxBatch
              + ", "
              + clients);
    }
    if (!(tokensPerText > 0)) {
      throw new IllegalArgumentException("tokensPerText must be positive, was " + tokensPerText);
    }
  }

  /** Texts in one request at best. */
  int batch() {
    return Math.min(maxBatch, clients);
  }

  /** The ceiling in texts per second. */
  double textsPerSecond() {
    int batch = batch();
    double ceiling = Double.POSITIVE_INFINITY;
    if (rpm > 0) {
      ceiling = Math.min(ceiling, rpm / 60.0 * batch);
    }
    if (tpm > 0) {
      ceiling = Math.min(ceiling, tpm / 60.0 / tokensPerText);
    }
    double latency =
        (baseLatency.toNanos() + latencyPerToken.toNanos() * batch * tokensPerText) / 1e9;
    if (latency > 0) {
      ceiling = Math.min(ceiling, concurrency * batch / latency);
    }
    return ceiling;
  }

  /** Which limit binds: "rpm", "tpm" or "concurrency". */
  String binding() {
    double c = textsPerSecond();
    if (rpm > 0 && rpm / 60.0 * batch() == c) {
      return "rpm";
    }
    if (tpm > 0 && tpm / 60.0 / tokensPerText == c) {
      return "tpm";
    }
    return "concurrency";
  }
}
