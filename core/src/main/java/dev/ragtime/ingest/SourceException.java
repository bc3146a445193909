package dev.ragtime.ingest;

/** A document could not be read or parsed; the message says why, for the ingest report. */
public final class SourceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SourceException(String message) {
    super(message);
  }

  public SourceException(String message, Throwable cause) {
    super(message, cause);
  }
}
