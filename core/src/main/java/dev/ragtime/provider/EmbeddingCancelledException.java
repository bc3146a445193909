package dev.ragtime.provider;

/**
 * The embedding was abandoned: the calling thread was interrupted (its interrupt flag is restored
 * before this is thrown) or the pipeline was closed before the work finished.
 */
public final class EmbeddingCancelledException extends NonRetryableEmbeddingException {
  private static final long serialVersionUID = 1L;

  public EmbeddingCancelledException(String message, Throwable cause) {
    super(message, 0, null, cause);
  }
}
