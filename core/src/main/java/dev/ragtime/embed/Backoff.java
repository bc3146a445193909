package dev.ragtime.embed;

import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Exponential back-off with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"):
 * after the n-th failed attempt wait a uniformly random time in {@code [0, min(max, base *
 * 2^(n-1))]}. When the provider asked for a wait ({@code Retry-After}), wait at least that long.
 * Pure.
 *
 * @param base ceiling of the first wait
 * @param max ceiling of any jittered wait (a provider's Retry-After may exceed it)
 */
record Backoff(Duration base, Duration max) {
  static final Backoff DEFAULT = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(20));

  Backoff {
    if (!base.isPositive() || max.compareTo(base) < 0) {
      throw new IllegalArgumentException(
          "need 0 < base <= max, were base " + base + " and max " + max);
    }
  }

  /**
   * @param failedAttempts attempts that have failed so far, at least 1
   * @param retryAfter the wait the provider asked for, if any
   */
  Duration delay(int failedAttempts, Optional<Duration> retryAfter, RandomGenerator random) {
    if (failedAttempts < 1) {
      throw new IllegalArgumentException("failedAttempts must be >= 1, was " + failedAttempts);
    }
    long ceiling = base.toNanos();
    for (int i = 1; i < failedAttempts && ceiling < max.toNanos(); i++) {
      ceiling *= 2;
    }
    ceiling = Math.min(ceiling, max.toNanos());
    Duration jittered = Duration.ofNanos(random.nextLong(ceiling + 1));
    if (retryAfter.isPresent() && retryAfter.get().compareTo(jittered) > 0) {
      return retryAfter.get();
    }
    return jittered;
  }
}
