package dev.ragtime.bench;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * One way of embedding a workload against an OpenAI-compatible {@code /v1/embeddings} endpoint:
 * Ragtime's pipeline, a peer library with its defaults, or the replica of the design Ragtime
 * replaces. Implementations build their client, then embed the whole workload once, timing only the
 * embedding (not the client's construction), and report what came back; provider failures are
 * results, not exceptions.
 */
interface Contender {

  /**
   * Embeds every text of {@code workload} once against {@code target}.
   *
   * @throws InterruptedException if the calling thread is interrupted
   */
  Outcome run(Workload workload, Target target) throws InterruptedException;

  /** The contenders, by the name used on the command line and in tables. */
  enum Kind {
    RAGTIME("ragtime"),
    LEGACY("legacy"),
    LANGCHAIN4J("langchain4j"),
    LANGCHAIN4J_B32("langchain4j-b32"),
    SPRING_AI("spring-ai");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    String label() {
      return label;
    }

    Contender create() {
      return switch (this) {
        case RAGTIME -> new RagtimeContender();
        case LEGACY -> new LegacyContender();
        case LANGCHAIN4J -> new LangChain4jContender(false);
        case LANGCHAIN4J_B32 -> new LangChain4jContender(true);
        case SPRING_AI -> new SpringAiContender();
      };
    }

    /**
     * Parses a label.
     *
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    static Kind parse(String label) {
      for (Kind k : values()) {
        if (k.label.equals(label.strip().toLowerCase(Locale.ROOT))) {
          return k;
        }
      }
      throw new IllegalArgumentException(
          "contender must be one of ragtime, legacy, langchain4j, langchain4j-b32, spring-ai; was '"
              + label
              + "'");
    }
  }

  /**
   * Where and how to embed.
   *
   * @param baseUrl the OpenAI-style base URL, ending in {@code /v1}
   * @param apiKey bearer token to send
   * @param scenario the provider's limits and the batch size and concurrency configurable
   *     contenders use
   * @param documentsInFlight documents embedded at once by contenders that ingest document by
   *     document from concurrent callers (Ragtime)
   */
  record Target(URI baseUrl, String apiKey, Scenario scenario, int documentsInFlight) {
    public Target {
      Objects.requireNonNull(baseUrl, "baseUrl");
      Objects.requireNonNull(apiKey, "apiKey");
      Objects.requireNonNull(scenario, "scenario");
      if (documentsInFlight < 1) {
        throw new IllegalArgumentException(
            "documentsInFlight must be positive, was " + documentsInFlight);
      }
    }
  }

  /**
   * What one contender achieved.
   *
   * @param vectors the vector returned for each text that got one (texts are distinct)
   * @param wallNanos time from the first text handed over to the last vector in hand (or to the
   *     failure that ended the run)
   * @param clientRetries retries the client reports itself, if it exposes a count
   * @param firstError the first failure the client surfaced, empty if none
   * @param settings the client settings that matter (batch size, concurrency, retries), for the
   *     report
   */
  record Outcome(
      Map<String, float[]> vectors,
      long wallNanos,
      OptionalLong clientRetries,
      String firstError,
      String settings) {
    public Outcome {
      vectors = Map.copyOf(vectors);
      Objects.requireNonNull(clientRetries, "clientRetries");
      Objects.requireNonNull(firstError, "firstError");
      Objects.requireNonNull(settings, "settings");
    }
  }
}
