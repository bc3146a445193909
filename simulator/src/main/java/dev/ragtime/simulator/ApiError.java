package dev.ragtime.simulator;

import java.util.Optional;

/**
 * An error answer, independent of the endpoint's dialect: {@link Dialect} turns it into a status
 * and a body of the right shape. Thrown while parsing a request; lightweight (no stack trace).
 */
final class ApiError extends Exception {

  /** What went wrong, with the status and error types each dialect uses for it. */
  enum Kind {
    INVALID_REQUEST(400, 422, "invalid_request_error", "Validation"),
    MODEL_NOT_FOUND(404, 404, "invalid_request_error", "Validation"),
    TOO_MANY_INPUTS(400, 413, "invalid_request_error", "Validation"),
    INPUT_TOO_LONG(400, 413, "invalid_request_error", "Validation"),
    REQUEST_TOO_LARGE(400, 413, "invalid_request_error", "Validation"),
    RATE_LIMITED(429, 429, "requests", "Overloaded"),
    SERVER_ERROR(500, 500, "server_error", "Backend"),
    UNAVAILABLE(503, 503, "server_error", "Unhealthy"),
    NOT_FOUND(404, 404, "invalid_request_error", "Validation"),
    METHOD_NOT_ALLOWED(405, 405, "invalid_request_error", "Validation");

    final int status;
    final int teiStatus;
    final String openAiType;
    final String teiType;

    Kind(int status, int teiStatus, String openAiType, String teiType) {
      this.status = status;
      this.teiStatus = teiStatus;
      this.openAiType = openAiType;
      this.teiType = teiType;
    }
  }

  final Kind kind;
  private final String openAiType;
  private final String code;
  private final String param;

  ApiError(Kind kind, String message, String code) {
    this(kind, message, code, null, null);
  }

  /**
   * @param openAiType overrides the kind's OpenAI {@code type}; may be null
   * @param param the OpenAI {@code param}; may be null
   */
  ApiError(Kind kind, String message, String code, String openAiType, String param) {
    super(message, null, false, false);
    this.kind = kind;
    this.code = code;
    this.openAiType = openAiType;
    this.param = param;
  }

  String openAiType() {
    return openAiType != null ? openAiType : kind.openAiType;
  }

  /** OpenAI {@code code}: a stable machine-readable reason such as {@code too_many_inputs}. */
  Optional<String> code() {
    return Optional.ofNullable(code);
  }

  Optional<String> param() {
    return Optional.ofNullable(param);
  }
}
