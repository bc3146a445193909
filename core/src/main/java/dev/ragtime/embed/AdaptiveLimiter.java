package dev.ragtime.embed;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A blocking concurrency limiter whose limit adapts with {@link AimdLimit}. {@link #acquire()}
 * blocks (interruptibly) until fewer than {@code limit} permits are out; the caller resolves each
 * {@link Permit} exactly once with {@link Permit#success}, {@link Permit#dropped} or {@link
 * Permit#ignore}.
 *
 * <p>A batch that already holds work in progress (a retry) takes its permit with {@link
 * #acquireAhead}: while such a caller waits, no plain {@link #acquire} is served, so the retry gets
 * the next permit that comes free instead of queueing behind new batches. It does not raise the
 * limit: at most {@code limit} permits are ever out.
 *
 * <p>Thread-safe. With a fixed limit (for the local model) nothing is ever dropped, so it only
 * grows to the maximum and stays there.
 */
final class AdaptiveLimiter {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition available = lock.newCondition();
  // Guarded by lock.
  private final AimdLimit limit;
  private int inFlight;
  private int waitingAhead;

  AdaptiveLimiter(AimdLimit limit) {
    this.limit = limit;
  }

  /** Waits for a permit, after every {@linkplain #acquireAhead waiting retry}. */
  Permit acquire() throws InterruptedException {
    return take(Long.MAX_VALUE, false).orElseThrow();
  }

  /**
   * Waits at most {@code timeout} for a permit, after every {@linkplain #acquireAhead waiting
   * retry}; empty if none became free in time (a zero or negative timeout only takes a permit that
   * is free now).
   */
  Optional<Permit> acquire(Duration timeout) throws InterruptedException {
    return take(Math.max(0, timeout.toNanos()), false);
  }

  /**
   * As {@link #acquire(Duration)}, but ahead of every plain {@link #acquire} caller: for work
   * already under way (a batch's retry), so it does not queue behind new batches.
   */
  Optional<Permit> acquireAhead(Duration timeout) throws InterruptedException {
    return take(Math.max(0, timeout.toNanos()), true);
  }

  /** {@code nanos == Long.MAX_VALUE}: no time bound. */
  private Optional<Permit> take(long nanos, boolean ahead) throws InterruptedException {
    lock.lockInterruptibly();
    try {
      if (ahead) {
        waitingAhead++;
      }
      try {
        while (inFlight >= limit.limit() || (!ahead && waitingAhead > 0)) {
          if (nanos == Long.MAX_VALUE) {
            available.await();
          } else if (nanos <= 0) {
            return Optional.empty();
          } else {
            nanos = available.awaitNanos(nanos);
          }
        }
      } finally {
        if (ahead && --waitingAhead == 0) {
          available.signalAll(); // plain waiters held back by this one look again
        }
      }
      inFlight++;
      return Optional.of(new Permit(inFlight));
    } finally {
      lock.unlock();
    }
  }

  int limit() {
    lock.lock();
    try {
      return limit.limit();
    } finally {
      lock.unlock();
    }
  }

  /** Callers waiting for a permit now (for tests and diagnostics). */
  int waiting() {
    lock.lock();
    try {
      return lock.getWaitQueueLength(available);
    } finally {
      lock.unlock();
    }
  }

  int inFlight() {
    lock.lock();
    try {
      return inFlight;
    } finally {
      lock.unlock();
    }
  }

  private void release(Duration rtt, int inflightAtStart, Boolean dropped) {
    lock.lock();
    try {
      inFlight--;
      if (dropped != null) {
        limit.onSample(rtt, inflightAtStart, dropped);
      }
      available.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** One admitted request. Resolve it exactly once; later resolutions are ignored. */
  final class Permit {
    private final int inflightAtStart;
    private final AtomicBoolean resolved = new AtomicBoolean();

    private Permit(int inflightAtStart) {
      this.inflightAtStart = inflightAtStart;
    }

    /** The request succeeded in {@code rtt}. */
    void success(Duration rtt) {
      if (resolved.compareAndSet(false, true)) {
        release(rtt, inflightAtStart, false);
      }
    }

    /** The provider pushed back (429, overload, timeout): shrink the limit. */
    void dropped() {
      if (resolved.compareAndSet(false, true)) {
        release(Duration.ZERO, inflightAtStart, true);
      }
    }

    /**
     * Releases this permit ({@code dropped}: as {@link #dropped}, else as {@link #ignore}) and, in
     * the same step, takes a new one if the limit still admits it, ahead of every waiting caller:
     * for a batch that goes again at once. Empty if the limit (perhaps just shrunk) is reached, or
     * this permit was already resolved.
     */
    Optional<Permit> renew(boolean dropped) {
      if (!resolved.compareAndSet(false, true)) {
        return Optional.empty();
      }
      lock.lock();
      try {
        inFlight--;
        if (dropped) {
          limit.onSample(Duration.ZERO, inflightAtStart, true);
        }
        if (inFlight < limit.limit()) {
          inFlight++;
          return Optional.of(new Permit(inFlight));
        }
        available.signalAll();
        return Optional.empty();
      } finally {
        lock.unlock();
      }
    }

    /** The outcome says nothing about capacity (e.g. a 400): release without a sample. */
    void ignore() {
      if (resolved.compareAndSet(false, true)) {
        release(Duration.ZERO, inflightAtStart, null);
      }
    }
  }
}
