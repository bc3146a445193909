package dev.ragtime.provider;

/**
 * A batch ran out of attempts or out of time (its deadline) while every failure was retryable. The
 * last failure is the cause. Retrying later, as a new call, may succeed.
 */
public final class DeadlineExceededException extends RetryableEmbeddingException {
  private static final long serialVersionUID = 1L;

  public DeadlineExceededException(String message, EmbeddingException lastFailure) {
    super(
        message, lastFailure.status().orElse(0), lastFailure.endpoint().orElse(null), lastFailure);
  }
}
