package dev.ragtime.cli;

import dev.ragtime.app.Ragtime;
import dev.ragtime.postgres.queue.QueueWorker;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The queue workers {@code ragtime serve} runs in its own process (PostgreSQL store only), each on
 * a platform thread of its own: a stop interrupts a running batch, and an interrupt must not close
 * the database socket under it, which it would on a virtual thread. Closing stops them, which gives
 * their leases back, and waits for them.
 */
final class ServeWorkers implements AutoCloseable {
  private final List<QueueWorker> workers;
  private final List<Thread> threads;

  private ServeWorkers(List<QueueWorker> workers, List<Thread> threads) {
    this.workers = workers;
    this.threads = threads;
  }

  /** Starts {@code n} workers over {@code rt}'s queue (none when {@code n} is 0). */
  static ServeWorkers start(Ragtime rt, int n, PrintWriter err) {
    var workers = new ArrayList<QueueWorker>(n);
    var threads = new ArrayList<Thread>(n);
    String prefix = WorkerCommand.defaultId() + "/serve-";
    for (int i = 1; i <= n; i++) {
      String holder = prefix + i;
      QueueWorker w =
          rt.queueWorker(
              new QueueWorker.Settings(
                  holder,
                  Optional.empty(),
                  QueueWorker.Settings.DEFAULT_BATCH,
                  QueueWorker.Settings.DEFAULT_LEASE,
                  QueueWorker.Settings.DEFAULT_IDLE_WAIT,
                  false));
      workers.add(w);
      threads.add(
          Thread.ofPlatform()
              .name("ragtime-queue-worker-" + i)
              .start(
                  () -> {
                    try {
                      w.run();
                    } catch (RuntimeException e) {
                      err.printf(
                          "ragtime: queue worker %s stopped: %s%n", holder, Failures.oneLine(e));
                    }
                  }));
    }
    return new ServeWorkers(List.copyOf(workers), List.copyOf(threads));
  }

  int size() {
    return workers.size();
  }

  @Override
  public void close() {
    workers.forEach(QueueWorker::stop);
    boolean interrupted = false;
    for (Thread t : threads) {
      while (t.isAlive()) {
        try {
          t.join(); // quick: a stopped worker only gives its leases back
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
