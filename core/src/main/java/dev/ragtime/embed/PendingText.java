package dev.ragtime.embed;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One distinct text on its way to the provider: the single-flight unit. Every caller that asks for
 * the same key while it is in flight waits on the same {@link #result}.
 *
 * <p>State moves QUEUED → DISPATCHED (taken into a batch) or QUEUED → CANCELLED (every waiter gave
 * up before it was sent, so it is skipped). Waiter counting happens inside the single-flight map's
 * {@code compute}, which serialises it against cancellation.
 */
final class PendingText {
  static final int QUEUED = 0;
  static final int DISPATCHED = 1;
  static final int CANCELLED = 2;

  final String key;
  final String text;
  final int tokens;

  /** Sequence number of the embed call that enqueued it (for isolating failures per caller). */
  final long owner;

  final long enqueuedNanos;

  /** What the text is embedded for; every text of a batch has the same purpose. */
  final EmbeddingModel.Purpose purpose;

  final CompletableFuture<float[]> result = new CompletableFuture<>();
  private final AtomicInteger state = new AtomicInteger(QUEUED);
  private int waiters; // guarded by the single-flight map entry (compute)

  PendingText(String key, String text, int tokens, long owner, long enqueuedNanos) {
    this(key, text, tokens, owner, enqueuedNanos, EmbeddingModel.Purpose.DOCUMENT);
  }

  PendingText(
      String key,
      String text,
      int tokens,
      long owner,
      long enqueuedNanos,
      EmbeddingModel.Purpose purpose) {
    this.purpose = purpose;
    this.key = key;
    this.text = text;
    this.tokens = tokens;
    this.owner = owner;
    this.enqueuedNanos = enqueuedNanos;
  }

  /** QUEUED → DISPATCHED; false if it was cancelled meanwhile. */
  boolean dispatch() {
    return state.compareAndSet(QUEUED, DISPATCHED);
  }

  /** QUEUED → CANCELLED; false if it is already in a batch. */
  boolean cancel() {
    return state.compareAndSet(QUEUED, CANCELLED);
  }

  boolean cancelled() {
    return state.get() == CANCELLED;
  }

  void addWaiter() {
    waiters++;
  }

  /** Returns the waiters left. */
  int removeWaiter() {
    return --waiters;
  }
}
