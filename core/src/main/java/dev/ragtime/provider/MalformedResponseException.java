package dev.ragtime.provider;

/**
 * The provider answered 2xx but the body cannot be used: not the expected JSON, the wrong number of
 * vectors, vectors of the wrong dimension, or non-finite numbers; or the local model returned the
 * wrong number of vectors. Never retried: an endpoint that answers like this is misconfigured (or
 * serves another model), and its vectors must not reach an index.
 */
public final class MalformedResponseException extends NonRetryableEmbeddingException {
  private static final long serialVersionUID = 1L;

  public MalformedResponseException(String message, String endpoint, Throwable cause) {
    super(message, 0, endpoint, cause);
  }
}
