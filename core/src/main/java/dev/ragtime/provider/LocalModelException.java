package dev.ragtime.provider;

/**
 * The in-process embedding model (provider {@code local}) failed on a batch: ONNX Runtime reported
 * an error, the model was already closed, or it could not handle an input. The model's own
 * exception is the cause. Not retryable: the same texts on the same model fail the same way. Has no
 * status and no endpoint.
 */
public final class LocalModelException extends NonRetryableEmbeddingException {
  private static final long serialVersionUID = 1L;

  public LocalModelException(String message, Throwable cause) {
    super(message, 0, null, cause);
  }
}
