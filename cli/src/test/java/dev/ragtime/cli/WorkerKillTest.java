package dev.ragtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ragtime.document.DocumentType;
import dev.ragtime.ingest.QueuedDocument;
import dev.ragtime.postgres.PgDatabase;
import dev.ragtime.postgres.PgTestDatabase;
import dev.ragtime.postgres.queue.PgQueue;
import dev.ragtime.postgres.queue.QueueConfig;
import dev.ragtime.simulator.ProviderSimulator;
import dev.ragtime.simulator.SimulatorConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real {@code ragtime worker} processes share one PostgreSQL queue; one is killed with SIGKILL
 * while it holds leases. Its lease expires, the other worker finishes its documents, and every
 * document ends up indexed exactly once: one document row and one chunk each, every queue item
 * done, none dead. The provider answers slowly (the simulator's base latency), so a batch is still
 * running when the kill comes.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class WorkerKillTest {
  private static final int DOCUMENTS = 120;
  private static final Duration DEADLINE = Duration.ofMinutes(3);

  @TempDir Path tmp;

  @Test
  void aWorkerKilledMidBatchLosesNothingAndNothingIsIndexedTwice() throws Exception {
    try (PgTestDatabase db = PgTestDatabase.create();
        PgDatabase database = PgDatabase.open(db.settings());
        ProviderSimulator sim =
            ProviderSimulator.start(
                SimulatorConfig.builder()
                    .model("sim-embed")
                    .dimension(32)
                    .baseLatency(Duration.ofMillis(400))
                    .build())) {
      var docs = new ArrayList<QueuedDocument>();
      for (int i = 0; i < DOCUMENTS; i++) {
        String text = "Note " + i + " tells of tides and bees; its marker is m" + i + "x.";
        docs.add(
            new QueuedDocument(
                "note-" + i, DocumentType.TXT, text.getBytes(StandardCharsets.UTF_8), Map.of()));
      }
      new PgQueue(database.dataSource(), QueueConfig.DEFAULT).enqueue("notes", "test", docs);

      Map<String, String> env = new HashMap<>();
      env.put("RAGTIME_EMBEDDING_PROVIDER", "openai");
      env.put("RAGTIME_EMBEDDING_BASE_URL", sim.baseUri() + "/v1");
      env.put("RAGTIME_EMBEDDING_MODEL", "sim-embed");
      env.put("RAGTIME_EMBEDDING_API_KEY", "sk-test");
      env.put("RAGTIME_EMBEDDING_MAX_BATCH", "4"); // several slow requests per claimed batch
      env.put("RAGTIME_STORE", db.storeUrl());

      Process doomed = worker(env, "w1", "data-1");
      waitFor(
          () -> count(database, "SELECT count(*) FROM ingest_item WHERE lease_holder = 'w1'") > 0,
          "w1 to hold leases");
      Process survivor = worker(env, "w2", "data-2");
      doomed.destroyForcibly(); // SIGKILL: no shutdown hook, no lease given back
      assertThat(doomed.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(doomed.exitValue()).as("killed, not exited").isNotZero();

      waitFor(
          () ->
              count(database, "SELECT count(*) FROM ingest_item WHERE state = 'done'") == DOCUMENTS,
          "every document done");
      survivor.destroy(); // SIGTERM: a clean stop
      assertThat(survivor.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(survivor.exitValue())
          .as("w2's stderr: %s", Files.readString(tmp.resolve("w2.err")))
          .isZero();

      assertThat(count(database, "SELECT count(*) FROM ingest_item WHERE state <> 'done'"))
          .as("nothing queued, leased or dead")
          .isZero();
      assertThat(
              count(
                  database,
                  "SELECT count(*) FROM ingest_item WHERE 'w1' = ANY(holders) AND 'w2' ="
                      + " ANY(holders)"))
          .as("documents w1 held when it died were taken over by w2")
          .isPositive();
      assertThat(count(database, "SELECT count(*) FROM documents")).isEqualTo(DOCUMENTS);
      assertThat(count(database, "SELECT count(DISTINCT doc_id) FROM documents"))
          .isEqualTo(DOCUMENTS);
      assertThat(count(database, "SELECT count(*) FROM chunks"))
          .as("one chunk per short note, none written twice")
          .isEqualTo(DOCUMENTS);
      assertThat(count(database, "SELECT count(DISTINCT doc_id) FROM chunks")).isEqualTo(DOCUMENTS);
    }
  }

  private Process worker(Map<String, String> env, String id, String data) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    var command =
        new ArrayList<>(
            List.of(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "worker",
                "--id",
                id,
                "--batch",
                "10",
                "--lease",
                "2s"));
    var pb = new ProcessBuilder(command);
    pb.environment().keySet().removeIf(k -> k.startsWith("RAGTIME_"));
    pb.environment().putAll(env);
    pb.environment().put("RAGTIME_DATA", tmp.resolve(data).toString());
    pb.redirectOutput(tmp.resolve(id + ".out").toFile());
    pb.redirectError(tmp.resolve(id + ".err").toFile());
    return pb.start();
  }

  private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
    long end = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("gave up waiting for " + what + " after " + DEADLINE);
      }
      Thread.sleep(50);
    }
  }

  private static long count(PgDatabase database, String sql) {
    try (Connection c = database.connection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }
}
