package dev.ragtime.server.http;

import java.util.Objects;
import java.util.Optional;

/**
 * A request the service refuses, with the HTTP status and the reason to tell the client; written as
 * an RFC 9457 problem by {@link Api}. Thrown by request parsing and by the features' handlers,
 * never for a defect of the service (that stays a 500).
 */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String title;
  private final String field;
  private final long retryAfterSeconds;

  private ApiException(int status, String title, String detail, String field, long retryAfter) {
    super(Objects.requireNonNull(detail, "detail"));
    this.status = status;
    this.title = Objects.requireNonNull(title, "title");
    this.field = field;
    this.retryAfterSeconds = retryAfter;
  }

  /** 400: the request names {@code field} (a JSON pointer-like path such as {@code k}) wrongly. */
  public static ApiException invalidField(String field, String detail) {
    return new ApiException(400, "Bad Request", detail, field, -1);
  }

  /** 400 for a request that is wrong as a whole. */
  public static ApiException badRequest(String detail) {
    return new ApiException(400, "Bad Request", detail, null, -1);
  }

  /** 403: the API key is valid but lacks the right the request needs. */
  public static ApiException forbidden(String detail) {
    return new ApiException(403, "Forbidden", detail, null, -1);
  }

  public static ApiException notFound(String detail) {
    return new ApiException(404, "Not Found", detail, null, -1);
  }

  public static ApiException conflict(String detail) {
    return new ApiException(409, "Conflict", detail, null, -1);
  }

  public static ApiException tooLarge(String detail) {
    return new ApiException(413, "Content Too Large", detail, null, -1);
  }

  public static ApiException unsupportedMediaType(String detail) {
    return new ApiException(415, "Unsupported Media Type", detail, null, -1);
  }

  /** 429 with a {@code Retry-After} of {@code retryAfterSeconds} (at least 1). */
  public static ApiException saturated(String detail, long retryAfterSeconds) {
    return new ApiException(429, "Too Many Requests", detail, null, Math.max(1, retryAfterSeconds));
  }

  /** 503 with a {@code Retry-After}: the service is shutting down or not ready. */
  public static ApiException unavailable(String detail, long retryAfterSeconds) {
    return new ApiException(
        503, "Service Unavailable", detail, null, Math.max(1, retryAfterSeconds));
  }

  public int status() {
    return status;
  }

  public String title() {
    return title;
  }

  /** The request field at fault, if one is. */
  public Optional<String> field() {
    return Optional.ofNullable(field);
  }

  /** Seconds the client should wait before retrying, if the status asks for a wait. */
  public Optional<Long> retryAfterSeconds() {
    return retryAfterSeconds > 0 ? Optional.of(retryAfterSeconds) : Optional.empty();
  }
}
