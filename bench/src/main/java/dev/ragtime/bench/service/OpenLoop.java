package dev.ragtime.bench.service;

import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop load: calls are started on a fixed schedule, {@code rate} per second, whether or not
 * earlier ones have answered, as independent users' requests arrive at a service. At most {@code
 * clients} calls are in progress at once (the clients' connections); a call whose start falls due
 * while all of them are busy waits for one.
 *
 * <p>A call's latency is measured from when it was due, not from when it could start, so time spent
 * waiting behind a saturated service counts (no coordinated omission: a closed loop, and a client
 * that only measures once it sends, hide exactly that wait). If the service cannot keep up, the
 * completed rate stays below {@code rate} and latencies grow for as long as the run lasts.
 */
final class OpenLoop {
  private OpenLoop() {}

  /**
   * Starts call {@code i} at {@code i / rate} seconds after the start, for every {@code i} due
   * before {@code duration} has passed, and waits for all of them to finish.
   *
   * @param rate calls started per second, positive
   * @param clients most calls in progress at once, positive
   * @return the recording (every completed call, with its end and its latency from when it was
   *     due), and the start of the run on {@link System#nanoTime()}'s clock
   */
  static ClosedLoop.Run run(double rate, int clients, Duration duration, ClosedLoop.Call call)
      throws InterruptedException {
    if (!(rate > 0) || Double.isInfinite(rate)) {
      throw new IllegalArgumentException("rate must be positive and finite, was " + rate);
    }
    if (clients < 1) {
      throw new IllegalArgumentException("clients must be positive, was " + clients);
    }
    int calls = scheduled(rate, duration);
    long[] ends = new long[calls];
    long[] latencies = new long[calls];
    boolean[] completed = new boolean[calls];
    var failed = new AtomicLong();
    var firstFailure = new AtomicReference<String>();
    var slots = new Semaphore(clients);
    long start = System.nanoTime();
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < calls; i++) {
        long due = start + dueOffsetNanos(i, rate);
        long wait;
        while ((wait = due - System.nanoTime()) > 0) {
          LockSupport.parkNanos(wait);
        }
        slots.acquire();
        int index = i;
        threads.execute(
            () -> {
              try {
                call.run(index % clients, index);
                long end = System.nanoTime();
                ends[index] = end;
                latencies[index] = end - due;
                completed[index] = true;
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failed.incrementAndGet();
              } catch (Exception e) {
                failed.incrementAndGet();
                firstFailure.compareAndSet(null, e.toString());
              } finally {
                slots.release();
              }
            });
      }
    }
    slots.acquire(clients); // every call has released its slot: its writes to the arrays are seen
    int n = 0;
    for (int i = 0; i < calls; i++) {
      if (completed[i]) {
        ends[n] = ends[i];
        latencies[n] = latencies[i];
        n++;
      }
    }
    return new ClosedLoop.Run(
        start,
        new Recording(Arrays.copyOf(ends, n), Arrays.copyOf(latencies, n), failed.get()),
        Optional.ofNullable(firstFailure.get()));
  }

  /** How many calls fall due in {@code duration} at {@code rate} per second. */
  static int scheduled(double rate, Duration duration) {
    double n = Math.ceil(duration.toNanos() / 1e9 * rate);
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("too many calls: " + rate + "/s for " + duration);
    }
    return (int) n;
  }

  /** When call {@code i} falls due, in nanoseconds after the start. */
  static long dueOffsetNanos(long i, double rate) {
    return (long) (i * 1e9 / rate);
  }
}
