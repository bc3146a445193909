package dev.ragtime.provider;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One provider endpoint: where to send embedding requests, in which dialect, for which model.
 *
 * @param baseUrl the provider's base URL (see {@link WireProtocol#embeddingsUri})
 * @param protocol the wire dialect
 * @param model the model name sent in requests (TEI ignores it)
 * @param apiKey bearer token, if the endpoint needs one
 * @param dimensions output dimensions to request (OpenAI's and Ollama's {@code dimensions} field),
 *     empty for the model's native size
 * @param timeout per-request timeout, from sending the request to receiving the whole response
 */
public record Endpoint(
    URI baseUrl,
    WireProtocol protocol,
    String model,
    Optional<Secret> apiKey,
    OptionalInt dimensions,
    Duration timeout) {

  public Endpoint {
    Objects.requireNonNull(baseUrl, "baseUrl");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(apiKey, "apiKey");
    Objects.requireNonNull(dimensions, "dimensions");
    Objects.requireNonNull(timeout, "timeout");
    if (baseUrl.getRawUserInfo() != null) {
      throw new IllegalArgumentException(
          "base URL must not carry credentials (use the API key setting), was "
              + describe(baseUrl));
    }
    protocol.embeddingsUri(baseUrl); // validates
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
  }

  /** The URL requests are posted to. */
  public URI requestUri() {
    return protocol.embeddingsUri(baseUrl);
  }

  /**
   * Scheme, host and port only, for logs, metric tags and span attributes: never a path, query or
   * credentials.
   */
  public String label() {
    return describe(baseUrl);
  }

  static String describe(URI uri) {
    String scheme =
        uri.getScheme() == null ? "?" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    String host = uri.getHost() == null ? "?" : uri.getHost();
    int port = uri.getPort();
    if (port < 0) {
      port = "https".equals(scheme) ? 443 : 80;
    }
    return scheme + "://" + host + ":" + port;
  }

  @Override
  public String toString() {
    return "Endpoint["
        + protocol
        + " "
        + label()
        + " model="
        + model
        + (apiKey.isPresent() ? " apiKey=****" : "")
        + (dimensions.isPresent() ? " dimensions=" + dimensions.getAsInt() : "")
        + " timeout="
        + timeout
        + "]";
  }
}
