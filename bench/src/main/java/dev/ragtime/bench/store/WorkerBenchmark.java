package dev.ragtime.bench.store;

import dev.ragtime.bench.measure.ChildJvm;
import dev.ragtime.bench.measure.Options;
import dev.ragtime.cli.Main;
import dev.ragtime.document.CorpusRecord;
import dev.ragtime.document.DocumentType;
import dev.ragtime.document.JsonlCorpus;
import dev.ragtime.ingest.QueuedDocument;
import dev.ragtime.postgres.PgDatabase;
import dev.ragtime.postgres.queue.PgQueue;
import dev.ragtime.postgres.queue.QueueConfig;
import dev.ragtime.simulator.ProviderSimulator;
import dev.ragtime.simulator.SimulatorConfig;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Ingestion through the PostgreSQL queue with 1, 2 and 4 {@code ragtime worker} processes (issue
 * 10, item 6): SciFact abstracts are enqueued into a fresh database, the workers run with {@code
 * --until-empty} against the provider simulator (a remote provider with a fixed latency and no rate
 * limit, so the store and the workers, not the model, set the pace), and the rate is measured from
 * the first claimed document to the last one done. Prints documents per second per worker count and
 * the ratio to one worker.
 */
public final class WorkerBenchmark {
  private static final String USAGE =
      """
      usage: WorkerBenchmark [--postgres JDBC-URL] [--dataset DIR] [--docs N] [--workers 1,2,4]
                             [--rounds N] [--latency-ms N] [--batch N] [--work DIR]
        --postgres   a PostgreSQL server with pgvector, as a superuser's JDBC URL; a database is
                     created there per run and dropped afterwards (default $TEST_POSTGRES_URL)
        --docs       SciFact abstracts to ingest per run (default 2000)
        --workers    worker process counts to measure (default 1,2,4)
        --rounds     runs per worker count; the median rate is reported (default 1)
        --latency-ms the simulated provider's latency per request (default 50)
        --batch      documents a worker claims at a time (default 32)
      """;

  private WorkerBenchmark() {}

  public static void main(String[] args) throws Exception {
    Options o =
        Options.parse(
            args,
            Set.of(
                "--postgres",
                "--dataset",
                "--docs",
                "--workers",
                "--rounds",
                "--latency-ms",
                "--batch",
                "--work"),
            Set.of("--help"));
    if (o.has("--help")) {
      System.out.print(USAGE);
      return;
    }
    String adminUrl = StoreBenchmark.adminUrl(o);
    Path dataset = Path.of(o.string("--dataset", "../shared/data/beir/scifact"));
    int docs = o.integer("--docs", 2000);
    List<Integer> workerCounts = o.integers("--workers", "1,2,4");
    int rounds = o.integer("--rounds", 1);
    int latencyMs = o.integer("--latency-ms", 50);
    int batch = o.integer("--batch", 32);
    Path work = Path.of(o.string("--work", "bench/target/workers"));
    Files.createDirectories(work);
    PrintStream out = System.out;

    List<QueuedDocument> documents = new ArrayList<>();
    try (JsonlCorpus c = JsonlCorpus.open(dataset.resolve("corpus.jsonl"));
        Stream<CorpusRecord> records = c.stream()) {
      records
          .limit(docs)
          .forEach(
              r ->
                  documents.add(
                      new QueuedDocument(
                          r.id() + ".txt",
                          DocumentType.TXT,
                          (r.title() + "\n\n" + r.text()).getBytes(StandardCharsets.UTF_8),
                          Map.of())));
    }
    out.printf(
        Locale.ROOT,
        "worker benchmark: %d SciFact abstracts, provider latency %d ms, batches of %d, %d"
            + " round(s) per worker count, %d cores%n",
        documents.size(),
        latencyMs,
        batch,
        rounds,
        Runtime.getRuntime().availableProcessors());

    Map<Integer, Double> medians = new LinkedHashMap<>();
    try (ProviderSimulator sim =
        ProviderSimulator.start(
            SimulatorConfig.builder()
                .model("sim-embed")
                .dimension(384)
                .baseLatency(Duration.ofMillis(latencyMs))
                .build())) {
      for (int workers : workerCounts) {
        List<Double> rates = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
          double rate = run(adminUrl, sim, documents, workers, batch, work, round);
          rates.add(rate);
          out.printf(
              Locale.ROOT, "  %d worker(s), round %d: %.1f docs/s%n", workers, round + 1, rate);
        }
        rates.sort(Double::compare);
        medians.put(workers, rates.get(rates.size() / 2));
      }
    }
    double base = medians.values().iterator().next();
    out.println();
    out.println("| workers | docs/s (median) | vs " + workerCounts.get(0) + " worker(s) |");
    out.println("| --- | --- | --- |");
    for (var e : medians.entrySet()) {
      out.printf(
          Locale.ROOT, "| %d | %.1f | %.2f× |%n", e.getKey(), e.getValue(), e.getValue() / base);
    }
  }

  /** One run: a fresh database, the documents enqueued, {@code workers} processes until empty. */
  private static double run(
      String adminUrl,
      ProviderSimulator sim,
      List<QueuedDocument> documents,
      int workers,
      int batch,
      Path work,
      int round)
      throws Exception {
    String db = "ragtime_workers_" + ProcessHandle.current().pid() + "_" + workers + "_" + round;
    StoreBenchmark.admin(adminUrl, "CREATE DATABASE " + db);
    try (PgDatabase database = PgDatabase.open(StoreBenchmark.settingsFor(adminUrl, db))) {
      new PgQueue(database.dataSource(), QueueConfig.DEFAULT)
          .enqueue("scifact", "worker-benchmark", documents);
      String store = storeUrl(adminUrl, db);
      List<Process> processes = new ArrayList<>();
      for (int i = 1; i <= workers; i++) {
        processes.add(worker(sim, store, batch, work.resolve(db + "-w" + i)));
      }
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
      while (count(database, "SELECT count(*) FROM ingest_item WHERE state <> 'queued'") == 0) {
        check(deadline, processes);
        Thread.sleep(10);
      }
      long start = System.nanoTime();
      long done;
      while ((done = count(database, "SELECT count(*) FROM ingest_item WHERE state = 'done'"))
          < documents.size()) {
        if (count(database, "SELECT count(*) FROM ingest_item WHERE state = 'dead'") > 0) {
          throw new IllegalStateException(
              "documents were given up (dead letters): see the logs in " + work);
        }
        check(deadline, processes);
        Thread.sleep(20);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      for (Process p : processes) {
        if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
          throw new IllegalStateException("a worker did not exit 0: see the logs in " + work);
        }
      }
      long chunks = count(database, "SELECT count(*) FROM chunks");
      if (count(database, "SELECT count(*) FROM documents") != documents.size() || chunks == 0) {
        throw new IllegalStateException("the index does not hold every document once");
      }
      return done / seconds;
    } finally {
      StoreBenchmark.admin(adminUrl, "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
    }
  }

  private static Process worker(ProviderSimulator sim, String store, int batch, Path dir)
      throws Exception {
    Files.createDirectories(dir);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(ChildJvm.RAGTIME_FLAGS);
    command.addAll(List.of("-Xmx1g", "-cp", System.getProperty("java.class.path")));
    command.add(Main.class.getName());
    command.addAll(List.of("worker", "--until-empty", "--batch", Integer.toString(batch)));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.redirectOutput(dir.resolve("worker.log").toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("RAGTIME_"));
    env.put("RAGTIME_DATA", dir.resolve("data").toAbsolutePath().toString());
    env.put("RAGTIME_STORE", store);
    env.put("RAGTIME_EMBEDDING_PROVIDER", "openai");
    env.put("RAGTIME_EMBEDDING_BASE_URL", sim.baseUri() + "/v1");
    env.put("RAGTIME_EMBEDDING_MODEL", "sim-embed");
    env.put("RAGTIME_EMBEDDING_API_KEY", "sk-bench");
    return pb.start();
  }

  private static void check(long deadline, List<Process> processes) {
    if (System.nanoTime() > deadline) {
      processes.forEach(Process::destroyForcibly);
      throw new IllegalStateException("the workers did not finish in 30 minutes");
    }
    if (processes.stream().noneMatch(Process::isAlive)) {
      throw new IllegalStateException("every worker exited before the queue was done");
    }
  }

  /** {@code postgres://user@host:port/db} for the server of {@code adminUrl}. */
  private static String storeUrl(String adminUrl, String db) {
    var s = StoreBenchmark.settingsFor(adminUrl, db);
    return "postgres://" + s.user() + "@" + s.jdbcUrl().substring("jdbc:postgresql://".length());
  }

  private static long count(PgDatabase database, String sql) throws SQLException {
    try (Connection c = database.connection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }
}
