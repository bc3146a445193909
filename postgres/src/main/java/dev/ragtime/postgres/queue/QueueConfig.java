package dev.ragtime.postgres.queue;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the durable ingestion queue, shared by whoever enqueues and every worker.
 *
 * @param maxAttempts claims of one document before it is given up (dead); an expired lease counts
 *     as an attempt, a lease released at shutdown does not
 * @param retryDelay wait before the second attempt; doubles with each further attempt
 * @param maxRetryDelay the longest wait between attempts
 */
public record QueueConfig(int maxAttempts, Duration retryDelay, Duration maxRetryDelay) {
  public static final int DEFAULT_MAX_ATTEMPTS = 5;
  public static final Duration DEFAULT_RETRY_DELAY = Duration.ofSeconds(2);
  public static final Duration DEFAULT_MAX_RETRY_DELAY = Duration.ofMinutes(5);
  public static final QueueConfig DEFAULT =
      new QueueConfig(DEFAULT_MAX_ATTEMPTS, DEFAULT_RETRY_DELAY, DEFAULT_MAX_RETRY_DELAY);

  public QueueConfig {
    Objects.requireNonNull(retryDelay, "retryDelay");
    Objects.requireNonNull(maxRetryDelay, "maxRetryDelay");
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
    }
    if (retryDelay.isNegative()) {
      throw new IllegalArgumentException("retryDelay must not be negative, was " + retryDelay);
    }
    if (maxRetryDelay.compareTo(retryDelay) < 0) {
      throw new IllegalArgumentException(
          "maxRetryDelay (" + maxRetryDelay + ") must be >= retryDelay (" + retryDelay + ")");
    }
  }

  public QueueConfig withMaxAttempts(int attempts) {
    return new QueueConfig(attempts, retryDelay, maxRetryDelay);
  }

  public QueueConfig withRetryDelay(Duration delay) {
    return new QueueConfig(
        maxAttempts, delay, maxRetryDelay.compareTo(delay) < 0 ? delay : maxRetryDelay);
  }
}
