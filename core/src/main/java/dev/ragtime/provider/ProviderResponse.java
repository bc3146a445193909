package dev.ragtime.provider;

import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;

/**
 * A successful embeddings response.
 *
 * @param vectors one vector per input, in input order, exactly as the provider sent them
 * @param promptTokens the input token count the provider reported, if it did
 * @param rateLimits the provider's {@code x-ratelimit-*} headers
 * @param latency time from sending the request to having read the whole body
 */
public record ProviderResponse(
    List<float[]> vectors,
    OptionalInt promptTokens,
    RateLimitHeaders rateLimits,
    Duration latency) {
  public ProviderResponse {
    vectors = List.copyOf(vectors);
  }
}
