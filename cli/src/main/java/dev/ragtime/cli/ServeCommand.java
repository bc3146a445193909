package dev.ragtime.cli;

import dev.ragtime.app.Ragtime;
import dev.ragtime.ingest.FileSources;
import dev.ragtime.ingest.SourceScan;
import dev.ragtime.server.RagtimeServer;
import dev.ragtime.server.ServerConfig;
import dev.ragtime.server.auth.ApiKeys;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code ragtime serve}: the HTTP service until SIGTERM or Ctrl-C, which stop it cleanly: no new
 * connections, in-flight requests and accepted ingestion jobs finish and commit, exit status 0.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serve the REST API (OpenAPI at /openapi.json) until SIGTERM or Ctrl-C.",
      "Binds 127.0.0.1 unless --host says otherwise.",
      "With a PostgreSQL store (--store or RAGTIME_STORE), documents posted to"
          + " /v1/collections/{name}/documents go to the store's durable queue (202 with a job"
          + " id; GET /v1/jobs/{id} shows its progress), and --workers queue workers in this"
          + " process take them, beside any `ragtime worker` processes on the same store. With"
          + " --workers 0 this node only serves, and enqueued documents wait for workers"
          + " elsewhere. Without a store, the service ingests posted documents itself."
    })
final class ServeCommand implements Callable<Integer> {

  @ParentCommand Main main;

  @Option(
      names = "--port",
      defaultValue = "" + ServerConfig.DEFAULT_PORT,
      description = "TCP port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
  int port;

  @Option(
      names = "--host",
      defaultValue = ServerConfig.DEFAULT_HOST,
      description = "Address to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
  String host;

  @Option(
      names = "--ingest",
      arity = "1..*",
      paramLabel = "PATH",
      description =
          "Files or directories to ingest in the background while serving (see /v1/jobs).")
  List<Path> ingest = List.of();

  @Option(
      names = {"-c", "--collection"},
      defaultValue = "default",
      description = "Collection that --ingest writes to (default: ${DEFAULT-VALUE}).")
  String collection;

  @Option(
      names = "--max-body-bytes",
      defaultValue = "" + ServerConfig.DEFAULT_MAX_BODY_BYTES,
      description =
          "Largest request body accepted; larger ones get 413 (default: ${DEFAULT-VALUE}).")
  long maxBodyBytes;

  @Option(
      names = "--workers",
      paramLabel = "N",
      description =
          "Queue workers to run in this process (PostgreSQL store only; default: "
              + DEFAULT_WORKERS
              + "; 0 leaves the queue to `ragtime worker` processes).")
  Integer workers;

  /** Queue workers {@code serve} runs with a PostgreSQL store unless {@code --workers} says. */
  static final int DEFAULT_WORKERS = 1;

  /** Counted down to stop serving (by SIGTERM or Ctrl-C through the shutdown hook, or a test). */
  final CountDownLatch stop = new CountDownLatch(1);

  /** The port once the server listens (for tests, with {@code --port 0}). */
  final CompletableFuture<Integer> listening = new CompletableFuture<>();

  @Override
  public Integer call() throws InterruptedException {
    if (workers != null && workers < 0) {
      throw new IllegalArgumentException("--workers must be 0 or more, was " + workers);
    }
    for (Path p : ingest) {
      if (!Files.exists(p)) {
        throw new IllegalArgumentException("no such file or directory: " + p + " (--ingest)");
      }
    }
    var config = ServerConfig.defaults().withAddress(host, port).withMaxBodyBytes(maxBodyBytes);
    var stopped = new CountDownLatch(1);
    var signalled = new AtomicBoolean();
    var status = new AtomicInteger(1);
    // SIGTERM and Ctrl-C start the JVM's shutdown; this hook hands the stop to the serving thread,
    // waits for its drain, then ends the process with the drain's status (0 when clean) rather
    // than the signal's 143.
    Thread hook =
        new Thread(
            () -> {
              signalled.set(true);
              stop.countDown();
              try {
                stopped.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              main.out.flush();
              main.err.flush();
              Runtime.getRuntime().halt(status.get());
            },
            "ragtime-serve-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    // SIGTERM and SIGINT handled directly when possible, so the drain ends before any hook runs.
    var signals = StopSignals.install(stop::countDown);
    try {
      serve(config);
      status.set(0);
      return 0;
    } finally {
      signals.ifPresent(
          s -> {
            try {
              s.close();
            } catch (Exception e) {
              // the previous handlers stay replaced; the process is ending anyway
            }
          });
      if (!signalled.get()) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // shutdown already began: the hook runs and exits with our status
        }
      }
      stopped.countDown();
      listening.completeExceptionally(new IllegalStateException("the server did not start"));
    }
  }

  private void serve(ServerConfig config) throws InterruptedException {
    var meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // Closed in reverse: the server drains first (a ?wait=true request may be waiting for these
    // workers), then the workers give their leases back, then the composition root closes.
    try (Ragtime rt = main.ragtime(meters);
        ServeWorkers queueWorkers = startWorkers(rt);
        RagtimeServer server =
            RagtimeServer.create(config.withKeys(rt.config().apiKeys()), rt.serverParts(meters))
                .start()) {
      main.err.printf(
          "ragtime: serving on http://%s:%d (API description at /openapi.json); SIGTERM or Ctrl-C"
              + " stops%n",
          host.contains(":") ? "[" + host + "]" : host, server.port());
      if (rt.config().apiKeys().enabled()) {
        main.err.printf(
            "ragtime: requests need an API key (%d set in %s)%n",
            rt.config().apiKeys().size(), ApiKeys.ENV);
      } else if (!isLoopback(host)) {
        main.err.printf(
            "ragtime: warning: anyone who reaches %s can read and change every collection; set"
                + " %s to require keys%n",
            host, ApiKeys.ENV);
      }
      if (rt.queue().isPresent()) {
        main.err.printf(
            "ragtime: posted documents go to the queue in %s; %s%n",
            rt.database().orElseThrow().settings().jdbcUrl(),
            queueWorkers.size() == 0
                ? "no workers in this process (--workers 0): run `ragtime worker` to ingest them"
                : queueWorkers.size() + " queue worker(s) in this process ingest them");
      }
      if (!ingest.isEmpty()) {
        SourceScan scan = FileSources.scan(ingest, rt.parsers());
        String source = ingest.stream().map(Path::toString).collect(Collectors.joining(" "));
        var job = server.ingest(collection, source, scan);
        main.err.printf(
            "ragtime: ingesting %d documents into '%s' in the background (GET /v1/jobs/%s)%n",
            scan.documents().size(), collection, job.id());
      }
      listening.complete(server.port());
      stop.await();
      main.err.println("ragtime: stopping; finishing requests and ingestion jobs…");
    }
    main.err.println("ragtime: stopped");
  }

  private ServeWorkers startWorkers(Ragtime rt) {
    if (rt.queue().isEmpty()) {
      if (workers != null && workers > 0) {
        throw new IllegalArgumentException(
            "--workers needs a PostgreSQL store (--store or RAGTIME_STORE): without one there is"
                + " no queue, and the service ingests posted documents itself");
      }
      return ServeWorkers.start(rt, 0, main.err);
    }
    int n = workers == null ? DEFAULT_WORKERS : workers;
    return ServeWorkers.start(rt, n, main.err);
  }

  private static boolean isLoopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
  }
}
