package dev.ragtime.cli;

import dev.ragtime.app.Ragtime;
import dev.ragtime.app.RagtimeConfig;
import dev.ragtime.postgres.queue.QueueWorker;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code ragtime worker}: takes documents from the PostgreSQL store's durable ingestion queue and
 * ingests them with the same pipeline as {@code ragtime ingest}, until SIGTERM or Ctrl-C (or, with
 * {@code --until-empty}, until nothing is ready). A stop gives the leases of the running batch back
 * at once and exits 0; a worker that is killed outright loses nothing either: its leases expire and
 * another worker finishes its documents, which are never indexed twice.
 */
@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    description = {
      "Ingest documents from the durable queue of the PostgreSQL store (--store or RAGTIME_STORE)"
          + " until SIGTERM or Ctrl-C, which give the running batch's leases back and exit 0.",
      "Documents get there from POST /v1/collections/{name}/documents of any `ragtime serve` on the"
          + " same store. Run any number of workers, on any machines: each claims batches no other"
          + " worker holds, and the documents of a worker that dies are taken over once its lease"
          + " expires.",
      "Progress goes to stderr."
    })
final class WorkerCommand implements Callable<Integer> {

  /** How often a running worker reports its progress on stderr (when it did something). */
  static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

  @ParentCommand Main main;

  @Option(
      names = {"-c", "--collection"},
      paramLabel = "NAME",
      description = "Only take documents for this collection (default: every collection).")
  String collection;

  @Option(
      names = "--batch",
      paramLabel = "N",
      defaultValue = "" + QueueWorker.Settings.DEFAULT_BATCH,
      description = "Documents claimed at a time (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--lease",
      paramLabel = "DURATION",
      defaultValue = "60s",
      converter = DurationConverter.class,
      description =
          "How long a claim holds if this worker stops renewing it, i.e. how soon another worker"
              + " takes over the documents of one that died (default: ${DEFAULT-VALUE}; renewed"
              + " every third of it while the batch runs).")
  Duration lease;

  @Option(
      names = "--until-empty",
      description =
          "Exit (status 0) as soon as nothing is ready to be claimed, rather than waiting for more."
              + " Documents other workers hold, and retries still waiting for their delay, are left"
              + " to other workers.")
  boolean untilEmpty;

  @Option(
      names = "--id",
      paramLabel = "ID",
      description =
          "This worker's name in the queue's leases; unique among running workers (default:"
              + " host:pid).")
  String id;

  @Option(
      names = "--json",
      description = "Print one JSON summary object on stdout when the worker stops.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    if (batch < 1) {
      throw new IllegalArgumentException("--batch must be at least 1, was " + batch);
    }
    if (lease.toMillis() < 1_000) {
      throw new IllegalArgumentException(
          "--lease must be at least 1s (a shorter one expires under a worker that is merely"
              + " slow), was "
              + lease.toMillis()
              + "ms");
    }
    if (id != null && id.isBlank()) {
      throw new IllegalArgumentException("--id must not be blank");
    }
    RagtimeConfig config = main.config();
    if (!config.postgres()) {
      throw new IllegalArgumentException(
          "ragtime worker takes its documents from the PostgreSQL store's queue, but no store is"
              + " set: pass --store postgres://user@host:5432/database or set RAGTIME_STORE (the"
              + " data directory has no queue; there `ragtime serve` ingests posted documents"
              + " itself)");
    }
    String holder = id != null ? id : defaultId();
    var settings =
        new QueueWorker.Settings(
            holder,
            Optional.ofNullable(collection),
            batch,
            lease,
            QueueWorker.Settings.DEFAULT_IDLE_WAIT,
            untilEmpty);
    var ended = new CountDownLatch(1);
    try (Ragtime rt = Ragtime.create(config)) {
      QueueWorker worker = rt.queueWorker(settings);
      return run(rt, worker, holder, ended);
    } finally {
      ended.countDown();
    }
  }

  private int run(Ragtime rt, QueueWorker worker, String holder, CountDownLatch ended) {
    var stopped = new CountDownLatch(1);
    var signals =
        StopSignals.install(
            () -> {
              main.err.printf("ragtime: worker %s stopping; giving its leases back%n", holder);
              worker.stop();
            });
    Thread hook = null;
    if (signals.isEmpty()) {
      // Without direct signal handling: stop in a shutdown hook and wait for the leases to go back.
      hook =
          new Thread(
              () -> {
                worker.stop();
                try {
                  ended.await(1, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "ragtime-worker-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
    }
    main.err.printf(
        "ragtime: worker %s taking documents for %s from %s (batches of %d, lease %s)%s%n",
        holder,
        collection == null ? "every collection" : "'" + collection + "'",
        rt.database().orElseThrow().settings().jdbcUrl(),
        batch,
        describe(lease),
        untilEmpty ? "; exits when nothing is ready" : "; SIGTERM or Ctrl-C stops");
    long start = System.nanoTime();
    Thread reporter =
        Thread.ofVirtual()
            .name("ragtime-worker-progress")
            .start(() -> report(worker, holder, start, stopped));
    QueueWorker.Totals totals;
    try {
      totals = worker.run();
    } finally {
      stopped.countDown();
      reporter.interrupt();
      signals.ifPresent(
          s -> {
            try {
              s.close();
            } catch (Exception e) {
              // the previous handlers stay replaced; the process is ending anyway
            }
          });
      if (hook != null) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // shutdown already began: the hook waits for this run to end
        }
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    main.err.printf(
        Locale.ROOT,
        "ragtime: worker %s stopped after %.1f s: %d documents done, %d failed attempts, %d"
            + " batches, %d leases given back%n",
        holder,
        seconds,
        totals.done(),
        totals.failedAttempts(),
        totals.batches(),
        totals.released());
    if (json) {
      var m = new LinkedHashMap<String, Object>();
      m.put("worker", holder);
      m.put("done", totals.done());
      m.put("failedAttempts", totals.failedAttempts());
      m.put("batches", totals.batches());
      m.put("released", totals.released());
      m.put("seconds", Math.round(seconds * 1000) / 1000.0);
      main.out.println(Json.write(m));
    }
    return 0;
  }

  /** Every {@link #PROGRESS_EVERY}, one line on stderr if the worker did something since. */
  private void report(QueueWorker worker, String holder, long start, CountDownLatch stopped) {
    long last = -1;
    try {
      while (!stopped.await(PROGRESS_EVERY.toMillis(), TimeUnit.MILLISECONDS)) {
        QueueWorker.Totals t = worker.totals();
        long activity = t.done() + t.failedAttempts();
        if (activity == last) {
          continue;
        }
        last = activity;
        double seconds = (System.nanoTime() - start) / 1e9;
        main.err.printf(
            Locale.ROOT,
            "ragtime: worker %s: %d documents done (%.1f/s), %d failed attempts, %d batches%n",
            holder,
            t.done(),
            t.done() / Math.max(seconds, 1e-3),
            t.failedAttempts(),
            t.batches());
      }
    } catch (InterruptedException e) {
      // the worker stopped
    }
  }

  private static String describe(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
  }

  /** {@code host:pid}: unique among the workers running at one time. */
  static String defaultId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "localhost";
    }
    return host + ":" + ProcessHandle.current().pid();
  }
}
