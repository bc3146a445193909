package dev.ragtime.ingest;

import java.time.Duration;
import java.util.Objects;

/**
 * Ingestion tuning.
 *
 * @param documentsInFlight documents parsed, chunked and embedded at the same time; bounds memory
 *     and gives the embedding stage enough concurrent texts to build full batches
 * @param commitDocuments documents grouped into one durable index commit, at most
 * @param commitInterval longest time a finished document waits for its commit
 * @param maxFileBytes larger files are reported as too large and skipped
 */
public record IngestConfig(
    int documentsInFlight, int commitDocuments, Duration commitInterval, long maxFileBytes) {
  public static final int DEFAULT_DOCUMENTS_IN_FLIGHT = 64;
  public static final int DEFAULT_COMMIT_DOCUMENTS = 512;
  public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofSeconds(2);
  public static final long DEFAULT_MAX_FILE_BYTES = 50L * 1024 * 1024;
  public static final IngestConfig DEFAULT =
      new IngestConfig(
          DEFAULT_DOCUMENTS_IN_FLIGHT,
          DEFAULT_COMMIT_DOCUMENTS,
          DEFAULT_COMMIT_INTERVAL,
          DEFAULT_MAX_FILE_BYTES);

  public IngestConfig {
    Objects.requireNonNull(commitInterval, "commitInterval");
    if (documentsInFlight < 1 || documentsInFlight > 10_000) {
      throw new IllegalArgumentException(
          "documentsInFlight must be in [1, 10000], was " + documentsInFlight);
    }
    if (commitDocuments < 1 || commitDocuments > 100_000) {
      throw new IllegalArgumentException(
          "commitDocuments must be in [1, 100000], was " + commitDocuments);
    }
    if (commitInterval.isNegative() || commitInterval.isZero()) {
      throw new IllegalArgumentException("commitInterval must be positive, was " + commitInterval);
    }
    if (maxFileBytes < 1) {
      throw new IllegalArgumentException("maxFileBytes must be positive, was " + maxFileBytes);
    }
  }
}
