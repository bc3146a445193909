package dev.ragtime.embed;

import dev.ragtime.provider.EmbeddingCancelledException;
import dev.ragtime.provider.EmbeddingException;
import java.util.List;
import java.util.Optional;

/**
 * Turns one batch into vectors and hands them to the {@link Sink}: the remote chain (pacing,
 * breaker, failover, retry, split) or the local model. Implementations resolve the permit they are
 * given and never throw: every text ends delivered or failed.
 */
interface BatchSender {

  /**
   * Sends {@code batch}.
   *
   * @param permit the concurrency permit for the first attempt, or null to take one
   * @param reserved the pacing reservation the dispatcher already took for the first request (it
   *     forms a paced batch only once quota is there, see {@link Dispatcher}); empty when the
   *     sender reserves its own, or does not pace
   */
  void send(
      List<PendingText> batch,
      AdaptiveLimiter.Permit permit,
      Optional<RatePacer.Reservation> reserved);

  /**
   * {@code failure} itself if it is already in the taxonomy, else an {@link
   * EmbeddingCancelledException} with it as the cause: an unexpected failure of the pipeline's own
   * code (a defect), which abandons the work it hit.
   */
  static EmbeddingException unexpected(String what, Throwable failure) {
    if (failure instanceof EmbeddingException e) {
      return e;
    }
    return new EmbeddingCancelledException(what + " failed unexpectedly: " + failure, failure);
  }

  /** Where results go. */
  interface Sink {
    /**
     * Completes the texts with their vectors (one per text, in order).
     *
     * @throws dev.ragtime.provider.MalformedResponseException if the vectors cannot be used
     */
    void deliver(List<PendingText> batch, List<float[]> vectors, String endpoint, int tokens);

    /** Fails every text of the batch not yet completed. */
    void fail(List<PendingText> batch, RuntimeException cause);
  }
}
