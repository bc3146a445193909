package dev.ragtime.embed;

import dev.ragtime.provider.RateLimitHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * Smooth requests-per-minute and tokens-per-minute pacing: two {@link TokenBucket}s that start with
 * at most a quarter second of quota and can never hold more than one second of it, so the pipeline
 * never bursts a minute's quota (providers enforce limits over short windows).
 *
 * <p>It learns from the provider. {@code x-ratelimit-limit-*} sets the rate of a limit that was not
 * configured to 90% of the reported limit, following later reports down and up; a configured rate
 * is only ever lowered to the reported limit, and returns to the configured value when the reports
 * rise again (see {@link #adopt}). {@code x-ratelimit-remaining-*} clamps the buckets so we slow
 * down before a 429, and a {@code Retry-After} pauses everyone until it has passed.
 *
 * <p>Thread-safe. Callers {@link #reserve} and then sleep the returned duration themselves.
 */
final class RatePacer {
  /** Share of a provider-reported limit we aim for when the user configured none. */
  static final double LEARNED_SHARE = 0.9;

  private static final double BURST_SECONDS = 1.0;
  private static final double INITIAL_SECONDS = 0.25;

  private final InstantSource clock;
  private final int configuredRpm;
  private final int configuredTpm;
  // Guarded by this.
  private TokenBucket requests;
  private TokenBucket tokens;
  private Instant pausedUntil = Instant.MIN;

  RatePacer(int rpm, int tpm, InstantSource clock) {
    this.clock = clock;
    this.configuredRpm = rpm;
    this.configuredTpm = tpm;
    Instant now = clock.instant();
    this.requests = rpm > 0 ? bucket(rpm, now) : null;
    this.tokens = tpm > 0 ? bucket(tpm, now) : null;
  }

  private static TokenBucket bucket(double perMinute, Instant now) {
    double perSecond = perMinute / 60.0;
    double capacity = Math.max(1.0, perSecond * BURST_SECONDS);
    double initial = Math.max(1.0, perSecond * INITIAL_SECONDS);
    return new TokenBucket(perSecond, capacity, initial, now);
  }

  /**
   * Reserves one request carrying {@code tokenCount} tokens.
   *
   * @return how long the caller must wait before sending it
   */
  synchronized Duration reserve(int tokenCount) {
    Instant now = clock.instant();
    Duration wait = Duration.ZERO;
    if (requests != null) {
      wait = max(wait, requests.reserve(1, now));
    }
    if (tokens != null) {
      wait = max(wait, tokens.reserve(tokenCount, now));
    }
    if (pausedUntil.isAfter(now)) {
      wait = max(wait, Duration.between(now, pausedUntil));
    }
    return wait;
  }

  /** Corrects the token bucket once the provider has said how many tokens a request really had. */
  synchronized void correctTokens(int estimated, int actual) {
    if (tokens != null && estimated != actual) {
      tokens.adjust(estimated - actual, clock.instant());
    }
  }

  /** Everyone waits at least until {@code retryAfter} from now has passed. */
  synchronized void pause(Duration retryAfter) {
    Instant until = clock.instant().plus(retryAfter);
    if (until.isAfter(pausedUntil)) {
      pausedUntil = until;
    }
  }

  /** Learns from a response's {@code x-ratelimit-*} headers. */
  synchronized void observe(RateLimitHeaders h) {
    Instant now = clock.instant();
    if (h.limitRequests().isPresent() && h.limitRequests().getAsLong() > 0) {
      requests = adopt(requests, configuredRpm, h.limitRequests().getAsLong(), now);
    }
    if (h.limitTokens().isPresent() && h.limitTokens().getAsLong() > 0) {
      tokens = adopt(tokens, configuredTpm, h.limitTokens().getAsLong(), now);
    }
    if (requests != null && h.remainingRequests().isPresent()) {
      requests.clampTo(h.remainingRequests().getAsLong(), now);
    }
    if (tokens != null && h.remainingTokens().isPresent()) {
      tokens.clampTo(h.remainingTokens().getAsLong(), now);
    }
  }

  /**
   * The rate to pace a limit at once the provider has reported it.
   *
   * <ul>
   *   <li>Not configured: {@code 0.9 × reported} ({@link #LEARNED_SHARE}), creating the bucket if
   *       there was none, and following every later report down <em>and up</em>. The header is the
   *       account's current limit (it changes with the provider's usage tiers), and nothing else
   *       bounds the rate; the 10% margin absorbs our token estimates and other clients of the key.
   *   <li>Configured: {@code min(configured, reported)}. The configured rate is the operator's
   *       ceiling (often a deliberate share of the key's quota), so a report never raises the rate
   *       above it; a report below it is the provider's hard limit, so the rate drops to it,
   *       without the margin the operator did not ask for; and when a later report rises, the rate
   *       rises back, up to the configured value.
   * </ul>
   */
  private static TokenBucket adopt(
      TokenBucket current, int configured, long reportedPerMinute, Instant now) {
    double target = reportedPerMinute * LEARNED_SHARE;
    if (configured > 0) {
      target = Math.min(configured, reportedPerMinute);
    }
    if (current == null) {
      return bucket(target, now);
    }
    double perSecond = target / 60.0;
    if (Math.abs(current.perSecond() - perSecond) > 1e-9) {
      current.setRate(perSecond, Math.max(1.0, perSecond * BURST_SECONDS), now);
    }
    return current;
  }

  /** Requests per minute paced at now, 0 if unlimited. */
  synchronized double requestsPerMinute() {
    return requests == null ? 0 : requests.perSecond() * 60;
  }

  /** Tokens per minute paced at now, 0 if unlimited. */
  synchronized double tokensPerMinute() {
    return tokens == null ? 0 : tokens.perSecond() * 60;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
