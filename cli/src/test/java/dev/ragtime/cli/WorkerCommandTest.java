package dev.ragtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragtime.postgres.PgTestDatabase;
import dev.ragtime.simulator.ProviderSimulator;
import dev.ragtime.simulator.SimulatorConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ragtime worker} and {@code ragtime serve} over a PostgreSQL store, in-process, embedding
 * through the provider simulator: {@code serve --workers 0} only enqueues what is posted, a {@code
 * worker --until-empty} ingests it and exits, and {@code serve} with its default in-process worker
 * ingests a post by itself. Without a store, both refuse with a message that says what to do.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class WorkerCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  private Map<String, String> env(ProviderSimulator sim) {
    var env = new HashMap<String, String>();
    env.put("RAGTIME_DATA", tmp.resolve("data").toString());
    env.put("RAGTIME_EMBEDDING_PROVIDER", "openai");
    env.put("RAGTIME_EMBEDDING_BASE_URL", sim.baseUri() + "/v1");
    env.put("RAGTIME_EMBEDDING_MODEL", "sim-embed");
    env.put("RAGTIME_EMBEDDING_API_KEY", "sk-test");
    env.put("RAGTIME_EMBEDDING_TIMEOUT", "5s");
    return env;
  }

  private static String[] run(Map<String, String> env, String... args) {
    var out = new StringWriter();
    var err = new StringWriter();
    int code = Main.run(args, env, new PrintWriter(out, true), new PrintWriter(err, true), false);
    return new String[] {Integer.toString(code), out.toString(), err.toString()};
  }

  @Test
  void withoutAStoreTheWorkerSaysWhatToSet() {
    String[] r = run(Map.of("RAGTIME_DATA", tmp.resolve("data").toString()), "worker");
    assertThat(r[0]).isEqualTo("1");
    assertThat(r[2])
        .contains("PostgreSQL store's queue")
        .contains("--store postgres://")
        .contains("RAGTIME_STORE");

    String[] batch = run(Map.of(), "worker", "--batch", "0");
    assertThat(batch[0]).isEqualTo("1");
    assertThat(batch[2]).contains("--batch must be at least 1, was 0");

    String[] lease = run(Map.of(), "worker", "--lease", "soon");
    assertThat(lease[0]).isEqualTo("2");
    assertThat(lease[2]).contains("'soon' is not a duration");

    String[] serve =
        run(
            Map.of("RAGTIME_DATA", tmp.resolve("data").toString()),
            "serve",
            "--port",
            "0",
            "--workers",
            "2");
    assertThat(serve[0]).isEqualTo("1");
    assertThat(serve[2]).contains("--workers needs a PostgreSQL store");
  }

  @Test
  void serveEnqueuesAndAWorkerIngestsWhatItPosted() throws Exception {
    try (PgTestDatabase db = PgTestDatabase.create();
        ProviderSimulator sim =
            ProviderSimulator.start(
                SimulatorConfig.builder().model("sim-embed").dimension(32).build())) {
      Map<String, String> env = env(sim);
      String store = db.storeUrl();

      // A node that only serves: the posted documents wait in the queue.
      String jobId;
      var err = new StringWriter();
      var cmd =
          new CommandLine(
              new Main(
                  env,
                  new PrintWriter(new StringWriter(), true),
                  new PrintWriter(err, true),
                  false));
      ServeCommand serve = cmd.getSubcommands().get("serve").getCommand();
      var exit =
          onItsOwnThread(
              () -> cmd.execute("--store", store, "serve", "--port", "0", "--workers", "0"));
      try {
        String base = "http://127.0.0.1:" + serve.listening.get();
        var http = HttpClient.newHttpClient();
        var created =
            http.send(
                HttpRequest.newBuilder(URI.create(base + "/v1/collections/notes"))
                    .PUT(HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isBetween(200, 201);
        var posted = post(http, base + "/v1/collections/notes/documents", notes(0, 12));
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
        JsonNode job = JSON.readTree(posted.body());
        jobId = job.get("id").asText();
        assertThat(job.get("total").asLong()).isEqualTo(12);
        JsonNode later = get(http, base + "/v1/jobs/" + jobId);
        assertThat(later.get("queued").asLong()).as("no worker took it").isEqualTo(12);
      } finally {
        serve.stop.countDown();
      }
      assertThat(exit.get()).as(err.toString()).isZero();
      assertThat(err.toString()).contains("no workers in this process (--workers 0)");

      String[] worker =
          run(env, "--store", store, "worker", "--until-empty", "--json", "--id", "w1");
      assertThat(worker[0]).as(worker[2]).isEqualTo("0");
      JsonNode totals = JSON.readTree(worker[1]);
      assertThat(totals.get("worker").asText()).isEqualTo("w1");
      assertThat(totals.get("done").asLong()).isEqualTo(12);
      assertThat(totals.get("failedAttempts").asLong()).isZero();
      assertThat(worker[2])
          .contains("ragtime: worker w1 taking documents for every collection")
          .contains("12 documents done");

      String[] search =
          run(env, "--store", store, "search", "-c", "notes", "--mode", "bm25", "--json", "m7x");
      assertThat(search[0]).as(search[2]).isEqualTo("0");
      assertThat(JSON.readTree(search[1]).get("hits").get(0).get("docId").asText())
          .isEqualTo("note-7");

      // A node with its default in-process worker ingests what is posted by itself.
      var err2 = new StringWriter();
      var cmd2 =
          new CommandLine(
              new Main(
                  env,
                  new PrintWriter(new StringWriter(), true),
                  new PrintWriter(err2, true),
                  false));
      ServeCommand serve2 = cmd2.getSubcommands().get("serve").getCommand();
      var exit2 = onItsOwnThread(() -> cmd2.execute("--store", store, "serve", "--port", "0"));
      try {
        String base = "http://127.0.0.1:" + serve2.listening.get();
        var http = HttpClient.newHttpClient();
        assertThat(get(http, base + "/v1/jobs/" + jobId).get("state").asText())
            .as("a job is found by any node")
            .isEqualTo("succeeded");
        var waited = post(http, base + "/v1/collections/notes/documents?wait=true", notes(12, 3));
        assertThat(waited.statusCode()).as(waited.body()).isEqualTo(200);
        JsonNode done = JSON.readTree(waited.body());
        assertThat(done.get("state").asText()).isEqualTo("succeeded");
        assertThat(done.get("done").asLong()).isEqualTo(3);
      } finally {
        serve2.stop.countDown();
      }
      assertThat(exit2.get()).as(err2.toString()).isZero();
      assertThat(err2.toString()).contains("1 queue worker(s) in this process ingest them");

      String[] stats = run(env, "--store", store, "stats", "--json");
      assertThat(stats[0]).as(stats[2]).isEqualTo("0");
      assertThat(JSON.readTree(stats[1]).get("collections").get(0).get("documents").asLong())
          .isEqualTo(15);
    }
  }

  /**
   * Runs a command on a platform thread of its own: not on the common pool, which has a single
   * worker on a two-core machine that a serving command would hold.
   */
  private static CompletableFuture<Integer> onItsOwnThread(java.util.function.Supplier<Integer> c) {
    var result = new CompletableFuture<Integer>();
    Thread.ofPlatform()
        .name("serve-under-test")
        .start(
            () -> {
              try {
                result.complete(c.get());
              } catch (Throwable t) {
                result.completeExceptionally(t);
              }
            });
    return result;
  }

  /** {@code n} short notes from {@code from} on, each with its own marker word {@code m<i>x}. */
  private static String notes(int from, int n) {
    var b = new StringBuilder("{\"documents\":[");
    for (int i = from; i < from + n; i++) {
      b.append(i == from ? "" : ",")
          .append("{\"id\":\"note-")
          .append(i)
          .append("\",\"text\":\"Note ")
          .append(i)
          .append(" tells of tides and bees; its marker is m")
          .append(i)
          .append("x.\"}");
    }
    return b.append("]}").toString();
  }

  private static HttpResponse<String> post(HttpClient http, String url, String body)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode get(HttpClient http, String url) throws Exception {
    return JSON.readTree(
        http.send(
                HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString())
            .body());
  }
}
