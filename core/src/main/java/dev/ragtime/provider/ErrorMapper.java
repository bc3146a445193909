package dev.ragtime.provider;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpHeaders;
import java.net.http.HttpTimeoutException;
import java.time.InstantSource;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one place where HTTP statuses and transport failures become {@link EmbeddingException}s.
 *
 * <table>
 *   <caption>Mapping</caption>
 *   <tr><th>answer</th><th>exception</th></tr>
 *   <tr><td>429</td><td>{@link RateLimitedException} with Retry-After</td></tr>
 *   <tr><td>408, 409, 5xx, I/O error, timeout</td><td>{@link ProviderUnavailableException}</td></tr>
 *   <tr><td>413; 400/422 whose message says the request is too large</td>
 *       <td>{@link BatchTooLargeException}</td></tr>
 *   <tr><td>other 4xx (400, 401, 403, 404, 422, ...), 1xx, 3xx</td>
 *       <td>{@link ProviderRejectedException}</td></tr>
 * </table>
 */
final class ErrorMapper {
  /** Provider wording for "your request carries too many inputs or tokens". */
  private static final Pattern TOO_LARGE =
      Pattern.compile(
          "(?i)(too many|too large|too long|exceed|maximum|max_client_batch_size|payload"
              + "|context length|batch size)");

  private ErrorMapper() {}

  static EmbeddingException fromResponse(
      int status,
      HttpHeaders headers,
      byte[] body,
      Endpoint endpoint,
      int inputs,
      InstantSource clock) {
    String providerMessage = ProviderCodec.errorMessage(body);
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
      case 429 -> new RateLimitedException(message, where, RetryAfter.parse(headers, clock));
      case 408, 409 ->
          new ProviderUnavailableException(
              message, status, where, RetryAfter.parse(headers, clock), false, null);
      case 413 -> new BatchTooLargeException(message, status, where, inputs);
      case 400, 422 ->
          TOO_LARGE.matcher(providerMessage).find()
              ? new BatchTooLargeException(message, status, where, inputs)
              : new ProviderRejectedException(message + hint(status), status, where);
      default -> {
        if (status >= 500) {
          yield new ProviderUnavailableException(
              message, status, where, RetryAfter.parse(headers, clock), false, null);
        }
        yield new ProviderRejectedException(message + hint(status), status, where);
      }
    };
  }

  static ProviderUnavailableException fromIoException(
      IOException e, Endpoint endpoint, int inputs) {
    boolean timeout = e instanceof HttpTimeoutException;
    String what =
        timeout
            ? "timed out after " + endpoint.timeout()
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
      default -> "";
    };
  }
}
