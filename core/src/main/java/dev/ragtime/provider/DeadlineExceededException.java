package dev.ragtime.provider;

/**
 * A batch ran out of attempts or out of time (its deadline) while every failure was retryable, or
 * would have passed its deadline waiting for rate limits before it could be sent. The last failure,
 * if there was one, is the cause. Retrying later, as a new call, may succeed.
 */
public final class DeadlineExceededException extends RetryableEmbeddingException {
  private static final long serialVersionUID = 1L;

  /** The deadline would pass before the batch could even be sent (no failure so far). */
  public DeadlineExceededException(String message) {
    super(message, 0, null, null);
  }

  /** Gave up after {@code lastFailure}, which becomes the cause (and gives status and endpoint). */
  public DeadlineExceededException(String message, EmbeddingException lastFailure) {
    super(
        message, lastFailure.status().orElse(0), lastFailure.endpoint().orElse(null), lastFailure);
  }
}
