package dev.ragtime.provider;

/**
 * The provider rejected a request as too large: too many inputs, too many tokens, or a payload
 * above its limit (HTTP 413, or 400/422 saying so). The pipeline splits such a batch instead of
 * failing it; a caller sees this only when a single input is too large on its own.
 */
public final class BatchTooLargeException extends NonRetryableEmbeddingException {
  private static final long serialVersionUID = 1L;

  private final int inputs;

  public BatchTooLargeException(String message, int status, String endpoint, int inputs) {
    super(message, status, endpoint, null);
    this.inputs = inputs;
  }

  /** How many inputs the rejected request carried. */
  public int inputs() {
    return inputs;
  }
}
