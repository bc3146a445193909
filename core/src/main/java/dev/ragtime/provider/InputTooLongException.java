package dev.ragtime.provider;

/**
 * The provider rejected a request because an input in it is longer than the model accepts (OpenAI's
 * {@code context_length_exceeded}, TEI's "must have less than N tokens", Ollama's "input length
 * exceeds the context length"). Unlike {@link BatchTooLargeException} this says nothing about how
 * many inputs a request may carry: the pipeline isolates the over-long input (sending smaller parts
 * of the batch) without lowering its batch size, and only the callers waiting for that one input
 * fail. Retrying the same input will fail again.
 */
public final class InputTooLongException extends NonRetryableEmbeddingException {
  private static final long serialVersionUID = 1L;

  private final int inputs;

  public InputTooLongException(String message, int status, String endpoint, int inputs) {
    super(message, status, endpoint, null);
    this.inputs = inputs;
  }

  /** How many inputs the rejected request carried. */
  public int inputs() {
    return inputs;
  }
}
