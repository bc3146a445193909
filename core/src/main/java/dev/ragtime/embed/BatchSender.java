package dev.ragtime.embed;

import dev.ragtime.provider.EmbeddingCancelledException;
import dev.ragtime.provider.EmbeddingException;
import java.util.List;

/**
 * Turns one batch into vectors and hands them to the {@link Sink}: the remote chain (pacing,
 * breaker, failover, retry, split) or the local model. Implementations resolve the permit they are
 * given and never throw: every text ends delivered or failed.
 */
interface BatchSender {

  void send(List<PendingText> batch, AdaptiveLimiter.Permit permit);

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
