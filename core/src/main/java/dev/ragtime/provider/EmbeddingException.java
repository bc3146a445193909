package dev.ragtime.provider;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * Root of the one exception taxonomy for embedding: every failure of an embedding call, whether of
 * a remote provider, the local model or a stage of the pipeline itself, is one of these. The only
 * exceptions outside it are the caller's own mistakes: {@link IllegalArgumentException} for a bad
 * argument (a null or, for remote providers, blank text) and {@link IllegalStateException} for a
 * call on a closed pipeline.
 *
 * <p>The hierarchy is split by what a caller should do next:
 *
 * <ul>
 *   <li>{@link RetryableEmbeddingException}: the same request may succeed later ({@link
 *       RateLimitedException}, {@link ProviderUnavailableException}, {@link
 *       DeadlineExceededException});
 *   <li>{@link NonRetryableEmbeddingException}: repeating the same request will fail again ({@link
 *       ProviderRejectedException}, {@link BatchTooLargeException}, {@link InputTooLongException},
 *       {@link MalformedResponseException}, {@link LocalModelException}, {@link
 *       EmbeddingCancelledException}).
 * </ul>
 *
 * <p>HTTP statuses are mapped to these classes in exactly one place, {@code ErrorMapper}. Messages
 * name the endpoint, the status and the provider's own message, and never contain an API key.
 */
public abstract sealed class EmbeddingException extends RuntimeException
    permits RetryableEmbeddingException, NonRetryableEmbeddingException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String endpoint;

  EmbeddingException(String message, int status, String endpoint, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.endpoint = endpoint;
  }

  /** Whether repeating the request later may succeed. */
  public abstract boolean retryable();

  /** The HTTP status the provider answered with, if the failure came from an HTTP response. */
  public OptionalInt status() {
    return status > 0 ? OptionalInt.of(status) : OptionalInt.empty();
  }

  /** The endpoint (scheme, host and port only: no path, no credentials) that failed, if one did. */
  public Optional<String> endpoint() {
    return Optional.ofNullable(endpoint);
  }
}
