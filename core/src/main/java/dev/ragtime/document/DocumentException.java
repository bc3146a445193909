package dev.ragtime.document;

import java.util.Objects;

/**
 * A file or record could not be turned into a document. The {@link #reason()} says what kind of
 * problem it was; the message names the source, says what was wrong and what to do about it. None
 * of these is worth retrying unchanged, except perhaps {@link Reason#UNREADABLE} after the cause
 * (permissions, a vanished mount) has been fixed.
 *
 * <p>Callers that load many files catch this per file, report it, and go on with the next.
 */
public final class DocumentException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong. */
  public enum Reason {
    /** The file type (extension) is not one we parse. */
    UNSUPPORTED,
    /** The file could not be read: missing, a directory, no permission, or an I/O error. */
    UNREADABLE,
    /** The file is larger than the configured limit. */
    TOO_LARGE,
    /** A text file (.txt, .md, .html) holds binary content rather than text. */
    BINARY,
    /** The content is damaged or not in the format its name claims (a broken PDF, bad JSON). */
    CORRUPT,
    /** The PDF is protected by a password we do not have. */
    ENCRYPTED,
    /** The file parsed, but no text was found in it (for example a scanned PDF without OCR). */
    EMPTY
  }

  private final Reason reason;
  private final String source;

  /**
   * @param reason the kind of failure
   * @param source the file or record the failure is about (a path, a file name, or "file:line")
   * @param message what was wrong and what to do; the source is prefixed automatically
   */
  public DocumentException(Reason reason, String source, String message) {
    this(reason, source, message, null);
  }

  /**
   * @param reason the kind of failure
   * @param source the file or record the failure is about
   * @param message what was wrong and what to do; the source is prefixed automatically
   * @param cause the underlying exception, may be null
   */
  public DocumentException(Reason reason, String source, String message, Throwable cause) {
    super(Objects.requireNonNull(source, "source") + ": " + message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.source = source;
  }

  /** The kind of failure. */
  public Reason reason() {
    return reason;
  }

  /** The file or record the failure is about, as given to the parser. */
  public String source() {
    return source;
  }
}
