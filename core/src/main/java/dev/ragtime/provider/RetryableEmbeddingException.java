package dev.ragtime.provider;

/** A failure that may go away if the same request is repeated later. */
public abstract sealed class RetryableEmbeddingException extends EmbeddingException
    permits RateLimitedException, ProviderUnavailableException, DeadlineExceededException {
  private static final long serialVersionUID = 1L;

  RetryableEmbeddingException(String message, int status, String endpoint, Throwable cause) {
    super(message, status, endpoint, cause);
  }

  @Override
  public final boolean retryable() {
    return true;
  }
}
