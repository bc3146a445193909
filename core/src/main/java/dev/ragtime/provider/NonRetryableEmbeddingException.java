package dev.ragtime.provider;

/** A failure that repeating the same request will not cure. */
public abstract sealed class NonRetryableEmbeddingException extends EmbeddingException
    permits ProviderRejectedException,
        BatchTooLargeException,
        InputTooLongException,
        MalformedResponseException,
        LocalModelException,
        EmbeddingCancelledException {
  private static final long serialVersionUID = 1L;

  NonRetryableEmbeddingException(String message, int status, String endpoint, Throwable cause) {
    super(message, status, endpoint, cause);
  }

  @Override
  public final boolean retryable() {
    return false;
  }
}
