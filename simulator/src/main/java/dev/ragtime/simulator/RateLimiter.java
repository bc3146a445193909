package dev.ragtime.simulator;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Requests-per-minute and tokens-per-minute limits as continuously refilling token buckets. Pure
 * logic: time comes in as a nanosecond reading, so tests drive it without sleeping.
 *
 * <p>Each limit keeps two levels that refill at the same rate ({@code limit / 60 s}): the
 * <em>burst</em> level, capped at {@code limit × burstWindow / 60 s} (at least 1), decides
 * admission; the <em>minute</em> level, capped at the full limit, is only reported in the {@code
 * x-ratelimit-*} headers, as OpenAI reports remaining quota against the per-minute limit. Both
 * drain by the same amounts, so the minute level is never below the burst level.
 *
 * <p>A request is admitted when every enabled burst level holds at least {@code min(cost, burst
 * capacity)}; then both limits are charged in full (a cost above the capacity drives the level
 * negative: debt that later requests wait out). A rejected request is charged nothing. The wait
 * reported for a rejection is the time until the level it lacks has refilled enough.
 *
 * <p>Thread-safe: one short critical section per call.
 */
final class RateLimiter {

  private static final double EPSILON = 1e-9;

  /** Why and for how long a request was rejected, with the numbers for the error message. */
  record Rejection(Throttle reason, long retryAfterNanos, long limit, long used, long requested) {}

  // Guarded by this.
  private final Bucket requests;
  // Guarded by this.
  private final Bucket tokens;

  RateLimiter(long requestsPerMinute, long tokensPerMinute, Duration burstWindow, long nowNanos) {
    long windowNanos = burstWindow.toNanos();
    this.requests = new Bucket(requestsPerMinute, windowNanos, nowNanos);
    this.tokens = new Bucket(tokensPerMinute, windowNanos, nowNanos);
  }

  boolean isUnlimited() {
    return !requests.enabled() && !tokens.enabled();
  }

  /** Admits and charges the request, or explains the rejection (charging nothing). */
  synchronized Optional<Rejection> tryAcquire(long nowNanos, long tokenCost) {
    if (isUnlimited()) {
      return Optional.empty();
    }
    requests.refill(nowNanos);
    tokens.refill(nowNanos);
    long requestWait = requests.waitNanos(1);
    long tokenWait = tokens.waitNanos(tokenCost);
    if (requestWait == 0 && tokenWait == 0) {
      requests.take(1);
      tokens.take(tokenCost);
      return Optional.empty();
    }
    if (requestWait >= tokenWait) {
      return Optional.of(
          new Rejection(
              Throttle.REQUESTS,
              Math.max(requestWait, tokenWait),
              requests.limit,
              requests.used(),
              1));
    }
    return Optional.of(
        new Rejection(Throttle.TOKENS, tokenWait, tokens.limit, tokens.used(), tokenCost));
  }

  /**
   * Appends the OpenAI {@code x-ratelimit-*} headers (name, value, name, value, ...) for the
   * enabled limits.
   */
  synchronized void appendHeaders(long nowNanos, List<String> headers) {
    if (requests.enabled()) {
      requests.refill(nowNanos);
      headers.add("x-ratelimit-limit-requests");
      headers.add(Long.toString(requests.limit));
      headers.add("x-ratelimit-remaining-requests");
      headers.add(Long.toString(requests.remaining()));
      headers.add("x-ratelimit-reset-requests");
      headers.add(formatReset(requests.nanosToFull()));
    }
    if (tokens.enabled()) {
      tokens.refill(nowNanos);
      headers.add("x-ratelimit-limit-tokens");
      headers.add(Long.toString(tokens.limit));
      headers.add("x-ratelimit-remaining-tokens");
      headers.add(Long.toString(tokens.remaining()));
      headers.add("x-ratelimit-reset-tokens");
      headers.add(formatReset(tokens.nanosToFull()));
    }
  }

  /**
   * Formats a duration the way OpenAI's {@code x-ratelimit-reset-*} headers do (Go's duration
   * syntax), rounded up to whole milliseconds: {@code 0s}, {@code 20ms}, {@code 1s}, {@code 1.5s},
   * {@code 6m0s}, {@code 1h0m0s}.
   */
  static String formatReset(long nanos) {
    if (nanos <= 0) {
      return "0s";
    }
    long millis = Math.ceilDiv(nanos, 1_000_000L);
    if (millis < 1000) {
      return millis + "ms";
    }
    long seconds = millis / 1000;
    long fraction = millis % 1000;
    long hours = seconds / 3600;
    long minutes = (seconds % 3600) / 60;
    long secs = seconds % 60;
    StringBuilder out = new StringBuilder(16);
    if (hours > 0) {
      out.append(hours).append('h');
    }
    if (hours > 0 || minutes > 0) {
      out.append(minutes).append('m');
    }
    out.append(secs);
    if (fraction > 0) {
      String digits = String.format("%03d", fraction);
      int end = digits.length();
      while (digits.charAt(end - 1) == '0') {
        end--;
      }
      out.append('.').append(digits, 0, end);
    }
    return out.append('s').toString();
  }

  /** One limit. Not thread-safe; guarded by the enclosing limiter. */
  private static final class Bucket {
    final long limit;
    final double ratePerNano;
    final double burstCapacity;
    double burstLevel;
    double minuteLevel;
    long lastNanos;

    Bucket(long limitPerMinute, long windowNanos, long nowNanos) {
      this.limit = limitPerMinute;
      this.ratePerNano = limitPerMinute / 60e9;
      this.burstCapacity = Math.max(1.0, limitPerMinute * (windowNanos / 60e9));
      this.burstLevel = burstCapacity;
      this.minuteLevel = limitPerMinute;
      this.lastNanos = nowNanos;
    }

    boolean enabled() {
      return limit > 0;
    }

    void refill(long nowNanos) {
      long elapsed = nowNanos - lastNanos;
      if (!enabled() || elapsed <= 0) {
        return;
      }
      double added = elapsed * ratePerNano;
      burstLevel = Math.min(burstCapacity, burstLevel + added);
      minuteLevel = Math.min(limit, minuteLevel + added);
      lastNanos = nowNanos;
    }

    long waitNanos(long cost) {
      if (!enabled()) {
        return 0;
      }
      double need = Math.min(cost, burstCapacity);
      if (burstLevel + EPSILON >= need) {
        return 0;
      }
      return Math.max(1, (long) Math.ceil((need - burstLevel) / ratePerNano));
    }

    void take(long cost) {
      if (enabled()) {
        burstLevel -= cost;
        minuteLevel -= cost;
      }
    }

    long remaining() {
      return (long) Math.max(0, Math.floor(minuteLevel + EPSILON));
    }

    long used() {
      return limit - remaining();
    }

    long nanosToFull() {
      if (minuteLevel + EPSILON >= limit) {
        return 0;
      }
      return (long) Math.ceil((limit - minuteLevel) / ratePerNano);
    }
  }
}
