package dev.ragtime.provider;

import java.time.Duration;
import java.util.Optional;

/**
 * The provider could not serve the request right now: HTTP 408, 409 or 5xx, a connection failure or
 * reset, a request timeout, or every endpoint's circuit breaker open. Status is empty when no HTTP
 * response was received.
 */
public final class ProviderUnavailableException extends RetryableEmbeddingException {
  private static final long serialVersionUID = 1L;

  private final Duration retryAfter;
  private final boolean timeout;

  public ProviderUnavailableException(
      String message,
      int status,
      String endpoint,
      Optional<Duration> retryAfter,
      boolean timeout,
      Throwable cause) {
    super(message, status, endpoint, cause);
    this.retryAfter = retryAfter.orElse(null);
    this.timeout = timeout;
  }

  /** A wait the provider asked for (some send {@code Retry-After} with 503), if any. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  /** True when the request timed out (no answer within the configured timeout). */
  public boolean timeout() {
    return timeout;
  }
}
