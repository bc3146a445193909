package dev.ragtime.postgres;

/**
 * The PostgreSQL store failed: unreachable, refused the credentials, lacks pgvector, or a statement
 * failed. The message says what and what to check; it never contains a password.
 */
public class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  public StoreException(String message) {
    super(message);
  }
}
