package dev.ragtime.provider;

import java.net.URI;

/** The HTTP dialects of embedding providers that Ragtime speaks. */
public enum WireProtocol {
  /**
   * OpenAI-compatible {@code POST {base}/v1/embeddings}: OpenAI, vLLM, LocalAI, Infinity, TEI's
   * OpenAI route. Bearer-token authentication.
   */
  OPENAI,
  /** Ollama's {@code POST {base}/api/embed}. */
  OLLAMA,
  /** HuggingFace text-embeddings-inference's native {@code POST {base}/embed}. */
  TEI;

  /**
   * The embeddings URL for a base URL, which may end with or without a slash and, for {@link
   * #OPENAI}, with or without {@code /v1} (and, for {@link #OLLAMA}, with or without {@code /api}).
   *
   * @throws IllegalArgumentException if the URL is not absolute http(s) or carries a query
   */
  public URI embeddingsUri(URI base) {
    String scheme = base.getScheme();
    if (scheme == null
        || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
        || base.getHost() == null) {
      throw new IllegalArgumentException(
          "base URL must be an absolute http or https URL, was " + Endpoint.describe(base));
    }
    if (base.getRawQuery() != null || base.getRawFragment() != null) {
      throw new IllegalArgumentException(
          "base URL must not have a query or fragment, was " + Endpoint.describe(base));
    }
    String path = base.getRawPath() == null ? "" : base.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    String suffix =
        switch (this) {
          case OPENAI -> path.endsWith("/v1") ? "/embeddings" : "/v1/embeddings";
          case OLLAMA -> path.endsWith("/api") ? "/embed" : "/api/embed";
          case TEI -> "/embed";
        };
    return base.resolve(path + suffix);
  }
}
