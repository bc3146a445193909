package dev.ragtime.bench.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A closed-loop load: {@code clients} virtual threads, each sending its next call as soon as the
 * previous one has answered, for a given time. Every call is recorded with when it ended and how
 * long it took; the caller cuts the warm-up off with {@link Recording#window}.
 */
final class ClosedLoop {
  /** One call; it succeeded unless it throws. */
  @FunctionalInterface
  interface Call {
    void run(int client, long sequence) throws Exception;
  }

  private ClosedLoop() {}

  /**
   * Runs {@code call} from {@code clients} clients until {@code duration} has passed since they
   * started (a call in progress then still finishes and is recorded).
   *
   * @return the recording, and the start of the run on {@link System#nanoTime()}'s clock via {@link
   *     Run#startNanos()}
   */
  static Run run(int clients, Duration duration, Call call) throws InterruptedException {
    return run(clients, duration, Duration.ZERO, call);
  }

  /**
   * Like {@link #run(int, Duration, Call)}, each client pausing {@code think} after every call (not
   * counted in its latency), so the load offered is at most {@code clients / think}.
   */
  static Run run(int clients, Duration duration, Duration think, Call call)
      throws InterruptedException {
    var start = new CountDownLatch(1);
    var sequence = new AtomicLong();
    var failed = new AtomicLong();
    var startNanos = new AtomicLong();
    var firstFailure = new AtomicReference<String>();
    List<Future<long[][]>> results = new ArrayList<>();
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int c = 0; c < clients; c++) {
        int client = c;
        results.add(
            threads.submit(
                () -> {
                  long[] ends = new long[1024];
                  long[] lat = new long[1024];
                  int n = 0;
                  start.await();
                  long stop = startNanos.get() + duration.toNanos();
                  while (System.nanoTime() < stop) {
                    long t0 = System.nanoTime();
                    try {
                      call.run(client, sequence.getAndIncrement());
                    } catch (InterruptedException e) {
                      throw e;
                    } catch (Exception e) {
                      failed.incrementAndGet();
                      firstFailure.compareAndSet(null, e.toString());
                      continue;
                    }
                    long t1 = System.nanoTime();
                    if (think.isPositive()) {
                      Thread.sleep(think);
                    }
                    if (n == ends.length) {
                      ends = Arrays.copyOf(ends, n * 2);
                      lat = Arrays.copyOf(lat, n * 2);
                    }
                    ends[n] = t1;
                    lat[n] = t1 - t0;
                    n++;
                  }
                  return new long[][] {Arrays.copyOf(ends, n), Arrays.copyOf(lat, n)};
                }));
      }
      startNanos.set(System.nanoTime());
      start.countDown();
      long[] ends = new long[0];
      long[] lat = new long[0];
      for (Future<long[][]> f : results) {
        long[][] r;
        try {
          r = f.get();
        } catch (java.util.concurrent.ExecutionException e) {
          throw new IllegalStateException("a load client failed", e.getCause());
        }
        int from = ends.length;
        ends = Arrays.copyOf(ends, from + r[0].length);
        lat = Arrays.copyOf(lat, from + r[1].length);
        System.arraycopy(r[0], 0, ends, from, r[0].length);
        System.arraycopy(r[1], 0, lat, from, r[1].length);
      }
      return new Run(
          startNanos.get(),
          new Recording(ends, lat, failed.get()),
          Optional.ofNullable(firstFailure.get()));
    }
  }

  /**
   * A finished run: when it started ({@link System#nanoTime()}), what it recorded, and the first
   * failure, if any call failed.
   */
  record Run(long startNanos, Recording recording, Optional<String> firstFailure) {
    /** The window from {@code from} after the start to {@code to} after it. */
    Recording.Window window(Duration from, Duration to) {
      return recording.window(startNanos + from.toNanos(), startNanos + to.toNanos());
    }
  }
}
