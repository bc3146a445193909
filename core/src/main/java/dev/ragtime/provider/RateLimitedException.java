package dev.ragtime.provider;

import java.time.Duration;
import java.util.Optional;

/**
 * The provider refused the request because a rate limit was exceeded (HTTP 429). Carries the wait
 * the provider asked for through {@code Retry-After} or {@code Retry-After-Ms}, when it sent one.
 */
public final class RateLimitedException extends RetryableEmbeddingException {
  private static final long serialVersionUID = 1L;

  private final Duration retryAfter;

  public RateLimitedException(String message, String endpoint, Optional<Duration> retryAfter) {
    super(message, 429, endpoint, null);
    this.retryAfter = retryAfter.orElse(null);
  }

  /** How long the provider asked us to wait before the next request, if it said. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
