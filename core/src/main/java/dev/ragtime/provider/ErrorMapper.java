package dev.ragtime.provider;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpHeaders;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one place where HTTP statuses and transport failures become {@link EmbeddingException}s.
 *
 * <table>
 *   <caption>Mapping</caption>
 *   <tr><th>answer</th><th>exception</th></tr>
 *   <tr><td>429 saying the quota or credit is used up ({@code insufficient_quota})</td>
 *       <td>{@link ProviderRejectedException} (not retried)</td></tr>
 *   <tr><td>other 429</td><td>{@link RateLimitedException} with Retry-After</td></tr>
 *   <tr><td>501, 505</td><td>{@link ProviderRejectedException} (not retried)</td></tr>
 *   <tr><td>408, 409, other 5xx, I/O error, timeout</td>
 *       <td>{@link ProviderUnavailableException}</td></tr>
 *   <tr><td>400/413/422 saying one input is too long</td><td>{@link InputTooLongException}</td></tr>
 *   <tr><td>413; 400/422 saying the request carries too many inputs or tokens</td>
 *       <td>{@link BatchTooLargeException}</td></tr>
 *   <tr><td>other 4xx (400, 401, 403, 404, 422, ...), 1xx, 3xx</td>
 *       <td>{@link ProviderRejectedException}</td></tr>
 * </table>
 *
 * <p>Size rejections are classified by the provider's machine-readable error code first (OpenAI's
 * {@code error.code}, else {@code error.type}, TEI's {@code error_type}) and by its wording only
 * when the code says nothing decisive (Ollama sends no code; TEI's types are generic). "One input
 * is too long" and "the batch is too large" must not be confused: the first is isolated to the one
 * input and never lowers the batch size, the second splits the batch and lowers it.
 */
final class ErrorMapper {
  /** Codes that say one input exceeds the model's context. */
  private static final Set<String> INPUT_TOO_LONG_CODES =
      Set.of("context_length_exceeded", "input_too_long", "string_above_max_length");

  /** Codes that say the request as a whole carries too much. */
  private static final Set<String> BATCH_TOO_LARGE_CODES =
      Set.of(
          "too_many_inputs",
          "max_tokens_per_request",
          "request_too_large",
          "payload_too_large",
          "batch_too_large");

  /** Provider wording for "one input is longer than the model accepts". */
  private static final Pattern INPUT_TOO_LONG =
      Pattern.compile(
          "(?i)(context length|context window|input length exceeds|input is too long"
              + "|must have less than \\d+ tokens|too long for the model"
              + "|exceeds the (model's )?maximum (sequence|input) length)");

  /** Provider wording for "the request carries too many inputs or tokens". */
  private static final Pattern BATCH_TOO_LARGE =
      Pattern.compile(
          "(?i)(too many inputs|too many tokens in (the )?request|tokens per request"
              + "|inputs per request|batch size|max_client_batch_size|payload too large"
              + "|request too large|request entity too large)");

  /** A 429 that no wait cures: the account has no quota or credit left. */
  private static final Pattern NO_QUOTA =
      Pattern.compile("(?i)(insufficient_quota|exceeded your current quota)");

  private ErrorMapper() {}

  static EmbeddingException fromResponse(
      int status,
      HttpHeaders headers,
      byte[] body,
      Endpoint endpoint,
      int inputs,
      InstantSource clock) {
    String providerMessage = ProviderCodec.errorMessage(body);
    Optional<String> code = ProviderCodec.errorCode(body);
    if (endpoint.apiKey().isPresent()) {
      providerMessage = endpoint.apiKey().get().redact(providerMessage);
    }
    String where = endpoint.label();
    String message =
        "embedding request to "
            + where
            + " (model "
            + endpoint.model()
            + ", "
            + inputs
            + (inputs == 1 ? " input" : " inputs")
            + ") failed with HTTP "
            + status
            + ": "
            + providerMessage;
    return switch (status) {
      case 429 ->
          code.filter("insufficient_quota"::equals).isPresent()
                  || NO_QUOTA.matcher(providerMessage).find()
              ? new ProviderRejectedException(
                  message
                      + " (the account's quota or credit is used up: waiting will not help;"
                      + " check the provider's billing)",
                  status,
                  where)
              : new RateLimitedException(message, where, RetryAfter.parse(headers, clock));
      case 408, 409 ->
          new ProviderUnavailableException(
              message, status, where, RetryAfter.parse(headers, clock), false, null);
      case 400, 413, 422 ->
          switch (sizeProblem(status, code, providerMessage)) {
            case INPUT -> new InputTooLongException(message, status, where, inputs);
            case BATCH -> new BatchTooLargeException(message, status, where, inputs);
            case NONE -> new ProviderRejectedException(message + hint(status), status, where);
          };
      case 501, 505 -> new ProviderRejectedException(message + hint(status), status, where);
      default -> {
        if (status >= 500) {
          yield new ProviderUnavailableException(
              message, status, where, RetryAfter.parse(headers, clock), false, null);
        }
        yield new ProviderRejectedException(message + hint(status), status, where);
      }
    };
  }

  private enum SizeProblem {
    INPUT,
    BATCH,
    NONE
  }

  /** Code first, then wording; a 413 that says nothing more is a batch too large. */
  private static SizeProblem sizeProblem(int status, Optional<String> code, String message) {
    if (code.isPresent()) {
      if (INPUT_TOO_LONG_CODES.contains(code.get())) {
        return SizeProblem.INPUT;
      }
      if (BATCH_TOO_LARGE_CODES.contains(code.get())) {
        return SizeProblem.BATCH;
      }
    }
    if (INPUT_TOO_LONG.matcher(message).find()) {
      return SizeProblem.INPUT;
    }
    if (BATCH_TOO_LARGE.matcher(message).find() || status == 413) {
      return SizeProblem.BATCH;
    }
    return SizeProblem.NONE;
  }

  static ProviderUnavailableException fromIoException(
      IOException e, Endpoint endpoint, int inputs) {
    return fromIoException(e, endpoint, inputs, endpoint.timeout());
  }

  /**
   * A transport failure; {@code bound} is how long the exchange was allowed (the endpoint's timeout
   * or, when shorter, the time left before the batch's deadline).
   */
  static ProviderUnavailableException fromIoException(
      IOException e, Endpoint endpoint, int inputs, Duration bound) {
    boolean timeout = e instanceof HttpTimeoutException;
    String what =
        timeout
            ? "timed out after " + bound
            : e instanceof ConnectException ? "could not connect" : "failed";
    String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (endpoint.apiKey().isPresent()) {
      detail = endpoint.apiKey().get().redact(detail);
    }
    return new ProviderUnavailableException(
        "embedding request to "
            + endpoint.label()
            + " (model "
            + endpoint.model()
            + ", "
            + inputs
            + (inputs == 1 ? " input" : " inputs")
            + ") "
            + what
            + ": "
            + detail,
        0,
        endpoint.label(),
        Optional.empty(),
        timeout,
        e);
  }

  private static String hint(int status) {
    return switch (status) {
      case 401 -> " (check the API key)";
      case 403 -> " (the API key may lack access to this model)";
      case 404 -> " (check the base URL and the model name)";
      case 501, 505 ->
          " (the server does not support this request: check the URL and the protocol)";
      default -> "";
    };
  }
}
