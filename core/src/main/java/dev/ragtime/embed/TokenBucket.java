package dev.ragtime.embed;

import java.time.Duration;
import java.time.Instant;

/**
 * A continuously refilled token bucket that hands out reservations: a request for {@code n} tokens
 * is always granted, and the answer is how long the caller must wait before using them. The balance
 * may go negative (debt), which makes later callers wait behind earlier ones (first come, first
 * served) and lets a single request larger than the capacity through after a proportional wait.
 *
 * <p>Pure: time is passed in. Not thread-safe; {@link RatePacer} guards it.
 */
final class TokenBucket {
  private double perSecond;
  private double capacity;
  private double tokens;
  private Instant last;

  /**
   * @param perSecond refill rate, positive
   * @param capacity most tokens that can accumulate while idle (the largest burst)
   * @param initial tokens available at {@code now}; a small value avoids a burst at start
   */
  TokenBucket(double perSecond, double capacity, double initial, Instant now) {
    if (!(perSecond > 0) || !(capacity > 0)) {
      throw new IllegalArgumentException(
          "rate and capacity must be positive, were " + perSecond + " and " + capacity);
    }
    this.perSecond = perSecond;
    this.capacity = capacity;
    this.tokens = Math.min(initial, capacity);
    this.last = now;
  }

  /** Reserves {@code n} tokens and returns how long to wait before using them (zero if none). */
  Duration reserve(double n, Instant now) {
    refill(now);
    tokens -= n;
    return tokens >= 0 ? Duration.ZERO : seconds(-tokens / perSecond);
  }

  /**
   * Takes {@code n} tokens the way a provider's bucket admits a request: once it holds {@code
   * min(n, capacity)} (so a request larger than the capacity goes when the bucket is full, not
   * after waiting for more than it can ever hold), then charged in full. Returns how long to wait
   * for that; the charge is made now, so later callers queue behind.
   */
  Duration admit(double n, Instant now) {
    refill(now);
    double need = Math.min(n, capacity);
    Duration wait = tokens >= need ? Duration.ZERO : seconds((need - tokens) / perSecond);
    tokens -= n;
    return wait;
  }

  /** Gives back (positive) or charges (negative) tokens after the fact, e.g. a corrected count. */
  void adjust(double delta, Instant now) {
    refill(now);
    tokens = Math.min(capacity, tokens + delta);
  }

  /**
   * Never holds more than {@code remaining} (the provider's view of what is left); debt is kept.
   */
  void clampTo(double remaining, Instant now) {
    refill(now);
    tokens = Math.min(tokens, remaining);
  }

  /** Changes the rate and capacity, keeping the current balance (clamped to the new capacity). */
  void setRate(double perSecond, double capacity, Instant now) {
    if (!(perSecond > 0) || !(capacity > 0)) {
      throw new IllegalArgumentException(
          "rate and capacity must be positive, were " + perSecond + " and " + capacity);
    }
    refill(now);
    this.perSecond = perSecond;
    this.capacity = capacity;
    tokens = Math.min(tokens, capacity);
  }

  double perSecond() {
    return perSecond;
  }

  /** The most tokens that can accumulate while idle. */
  double capacity() {
    return capacity;
  }

  /** How long until the bucket holds {@code n} tokens (zero if it does now); reserves nothing. */
  Duration until(double n, Instant now) {
    refill(now);
    return tokens >= n ? Duration.ZERO : seconds((n - tokens) / perSecond);
  }

  double available(Instant now) {
    refill(now);
    return tokens;
  }

  private void refill(Instant now) {
    if (now.isAfter(last)) {
      double elapsed = Duration.between(last, now).toNanos() / 1e9;
      tokens = Math.min(capacity, tokens + elapsed * perSecond);
      last = now;
    }
  }

  private static Duration seconds(double s) {
    return Duration.ofNanos((long) Math.ceil(s * 1e9));
  }
}
