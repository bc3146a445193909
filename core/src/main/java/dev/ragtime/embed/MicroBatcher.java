package dev.ragtime.embed;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The micro-batcher's queue: callers {@link #enqueue} texts; the dispatcher {@link #take}s batches
 * bounded by max inputs and max (estimated) tokens, waiting up to {@code maxWait} after the oldest
 * queued text arrived for a batch to fill. FIFO, so each caller's texts keep their relative order
 * (callers get results by position anyway). Texts whose waiters all gave up are skipped.
 *
 * <p>Bounded: at most {@code capacity} texts wait; {@link #enqueue} blocks beyond that
 * (backpressure). The linger uses the JVM's monotonic clock: it bounds latency, it does not affect
 * what is sent.
 *
 * <p>Thread-safe.
 */
final class MicroBatcher {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final Condition notFull = lock.newCondition();
  private final int capacity;
  // Guarded by lock.
  private final ArrayDeque<PendingText> queue = new ArrayDeque<>();
  private long queuedTokens;
  private boolean shutdown;

  MicroBatcher(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
    }
    this.capacity = capacity;
  }

  /**
   * Adds texts, blocking while the queue is full.
   *
   * @throws IllegalStateException if the batcher was shut down
   */
  void enqueue(List<PendingText> items) throws InterruptedException {
    int i = 0;
    while (i < items.size()) {
      lock.lockInterruptibly();
      try {
        while (!shutdown && queue.size() >= capacity) {
          notFull.await();
        }
        if (shutdown) {
          throw new IllegalStateException("embedding pipeline is closed");
        }
        while (i < items.size() && queue.size() < capacity) {
          PendingText p = items.get(i++);
          queue.addLast(p);
          queuedTokens += p.tokens;
        }
        notEmpty.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * Blocks until a text is queued. Returns false once shut down and drained. The dispatcher calls
   * this before it takes a concurrency permit, so no permit is held while the pipeline is idle.
   */
  boolean awaitNonEmpty() throws InterruptedException {
    lock.lockInterruptibly();
    try {
      while (true) {
        dropCancelledHead();
        if (!queue.isEmpty()) {
          return true;
        }
        if (shutdown) {
          return false;
        }
        notEmpty.await();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes the next batch: waits until the batch is full or {@code maxWait} has passed since the
   * oldest queued text arrived. Returns an empty list at once if nothing is queued.
   */
  List<PendingText> take(int maxInputs, int maxTokens, Duration maxWait)
      throws InterruptedException {
    return take(maxInputs, maxTokens, maxWait, Duration.ZERO);
  }

  /**
   * Takes the next batch: waits until the batch is full, or until both {@code maxWait} has passed
   * since the oldest queued text arrived and {@code fillFor} has passed from now (the time the
   * batch could not leave anyway, e.g. waiting for rate quota). Returns an empty list at once if
   * nothing is queued.
   */
  List<PendingText> take(int maxInputs, int maxTokens, Duration maxWait, Duration fillFor)
      throws InterruptedException {
    lock.lockInterruptibly();
    try {
      dropCancelledHead();
      if (queue.isEmpty()) {
        return List.of();
      }
      long deadline =
          Math.max(
              queue.peekFirst().enqueuedNanos + maxWait.toNanos(),
              System.nanoTime() + fillFor.toNanos());
      while (!shutdown && queue.size() < maxInputs && queuedTokens < maxTokens) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        notEmpty.awaitNanos(left);
      }
      List<PendingText> batch = new ArrayList<>(Math.min(maxInputs, queue.size()));
      long tokens = 0;
      while (!queue.isEmpty() && batch.size() < maxInputs) {
        PendingText next = queue.peekFirst();
        if (!batch.isEmpty() && tokens + next.tokens > maxTokens) {
          break;
        }
        queue.pollFirst();
        queuedTokens -= next.tokens;
        if (next.dispatch()) {
          batch.add(next);
          tokens += next.tokens;
        }
      }
      notFull.signalAll();
      return batch;
    } finally {
      lock.unlock();
    }
  }

  private void dropCancelledHead() {
    while (!queue.isEmpty() && queue.peekFirst().cancelled()) {
      queuedTokens -= queue.pollFirst().tokens;
      notFull.signalAll();
    }
  }

  /** Refuses new texts; {@link #take} drains what is queued, then returns empty. */
  void shutdown() {
    lock.lock();
    try {
      shutdown = true;
      notEmpty.signalAll();
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Removes and returns everything still queued (for failing it at a forced close). */
  List<PendingText> drainAll() {
    lock.lock();
    try {
      var all = new ArrayList<>(queue);
      queue.clear();
      queuedTokens = 0;
      notFull.signalAll();
      return all;
    } finally {
      lock.unlock();
    }
  }

  int size() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }
}
