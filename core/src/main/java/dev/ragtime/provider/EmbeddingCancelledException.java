package dev.ragtime.provider;

/**
 * The embedding was abandoned: the calling thread was interrupted (its interrupt flag is restored
 * before this is thrown), the pipeline was closed before the work finished, or the pipeline itself
 * failed unexpectedly (a defect; the failure is the cause). After its dispatcher has failed, a
 * pipeline answers every further call with this exception.
 */
public final class EmbeddingCancelledException extends NonRetryableEmbeddingException {
  private static final long serialVersionUID = 1L;

  public EmbeddingCancelledException(String message, Throwable cause) {
    super(message, 0, null, cause);
  }
}
