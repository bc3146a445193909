package dev.ragtime.embed;

import java.time.Duration;

/**
 * Additive-increase, multiplicative-decrease concurrency limit, after TCP congestion control and
 * Netflix concurrency-limits' {@code AIMDLimit}: a drop (HTTP 429, an overload 503, a timeout, or a
 * response slower than the latency threshold) multiplies the limit by the back-off ratio; a success
 * while the limit is actually being used ({@code inflight * 2 >= limit}) adds {@code 1/limit}, i.e.
 * about one per round of requests. The limit stays in {@code [1, max]}.
 *
 * <p>Pure; not thread-safe ({@link AdaptiveLimiter} guards it).
 */
final class AimdLimit {
  static final double DEFAULT_BACKOFF_RATIO = 0.75;

  private final int max;
  private final double backoffRatio;
  private final Duration latencyThreshold;
  private double limit;

  /**
   * @param initial starting limit, clamped to {@code [1, max]}
   * @param max upper bound (the configured max concurrency)
   * @param backoffRatio factor applied on a drop, in [0.5, 1)
   * @param latencyThreshold responses slower than this count as drops
   */
  AimdLimit(int initial, int max, double backoffRatio, Duration latencyThreshold) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be >= 1, was " + max);
    }
    if (backoffRatio < 0.5 || backoffRatio >= 1) {
      throw new IllegalArgumentException("backoffRatio must be in [0.5, 1), was " + backoffRatio);
    }
    this.max = max;
    this.backoffRatio = backoffRatio;
    this.latencyThreshold = latencyThreshold;
    this.limit = Math.clamp(initial, 1, max);
  }

  int limit() {
    return (int) limit;
  }

  int max() {
    return max;
  }

  /**
   * Records one request's outcome.
   *
   * @param rtt how long it took
   * @param inflight requests in flight when it was started (itself included)
   * @param dropped whether the provider pushed back
   * @return the new limit
   */
  int onSample(Duration rtt, int inflight, boolean dropped) {
    if (dropped || rtt.compareTo(latencyThreshold) > 0) {
      limit = Math.max(1.0, limit * backoffRatio);
    } else if (inflight * 2 >= (int) limit) {
      limit = Math.min(max, limit + 1.0 / Math.max(1.0, Math.floor(limit)));
    }
    return (int) limit;
  }
}
