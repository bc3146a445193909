package dev.ragtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragtime.postgres.PgTestDatabase;
import dev.ragtime.simulator.ProviderSimulator;
import dev.ragtime.simulator.SimulatorConfig;
import java.io.IOException;
import java.io.InterruptedIOException;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Two {@code ragtime serve} nodes on one PostgreSQL store, each in this JVM with its own
 * composition root, data directory and port, as a user starts them: what one node writes, drops or
 * embeds the other sees, because nothing but the database holds state. Texts are embedded by the
 * in-process provider simulator, whose counters say what reached the provider.
 */
class TwoNodesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern PERSISTENT_CACHE_HITS =
      Pattern.compile(
          "ragtime_embedding_cache_requests_total\\{[^}]*result=\"hit\"[^}]*tier=\"disk\"[^}]*\\}"
              + " ([0-9.eE+-]+)");

  @TempDir Path tmp;
  private PgTestDatabase database;
  private ProviderSimulator provider;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() {
    database = PgTestDatabase.create(); // skips the test without a PostgreSQL server
    provider =
        ProviderSimulator.start(SimulatorConfig.builder().model("sim-embed").dimension(32).build());
  }

  @AfterEach
  void stop() {
    if (provider != null) {
      provider.close();
    }
    if (database != null) {
      database.close();
    }
  }

  /** One {@code ragtime serve} running in this JVM until {@link #close()}. */
  private final class Node implements AutoCloseable {
    final String base;
    final StringWriter err = new StringWriter();
    private final ServeCommand serve;
    private final CompletableFuture<Integer> exit;

    Node(String dataDir) throws Exception {
      var env = new HashMap<String, String>();
      env.put("RAGTIME_STORE", database.storeUrl());
      env.put("RAGTIME_EMBEDDING_PROVIDER", "openai");
      env.put("RAGTIME_EMBEDDING_BASE_URL", provider.baseUri() + "/v1");
      env.put("RAGTIME_EMBEDDING_MODEL", "sim-embed");
      env.put("RAGTIME_EMBEDDING_DIMENSIONS", "32"); // no probe: the counters hold only texts
      var cmd =
          new CommandLine(
              new Main(
                  Map.copyOf(env),
                  new PrintWriter(new StringWriter(), true),
                  new PrintWriter(err, true),
                  false));
      serve = cmd.getSubcommands().get("serve").getCommand();
      String data = tmp.resolve(dataDir).toString();
      // A thread of its own, not the common pool: on a small machine that has one thread, which
      // the first node's serve would hold until it stops, so the second would never start.
      exit = new CompletableFuture<>();
      Thread.ofPlatform()
          .name("serve-" + dataDir)
          .start(
              () ->
                  exit.complete(
                      cmd.execute("--data", data, "serve", "--host", "127.0.0.1", "--port", "0")));
      int port;
      try {
        port = serve.listening.get(2, TimeUnit.MINUTES);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        var threads = new StringBuilder();
        Thread.getAllStackTraces()
            .forEach(
                (t, st) -> {
                  threads.append(t).append('\n');
                  for (var f : st) {
                    threads.append("    ").append(f).append('\n');
                  }
                });
        throw new AssertionError("serve did not start: " + err + "\nthreads:\n" + threads, e);
      }
      base = "http://127.0.0.1:" + port;
    }

    HttpResponse<String> send(String method, String path, String body) throws Exception {
      var request =
          HttpRequest.newBuilder(URI.create(base + path)).timeout(java.time.Duration.ofMinutes(2));
      request =
          body == null
              ? request.method(method, HttpRequest.BodyPublishers.noBody())
              : request
                  .header("Content-Type", "application/json")
                  .method(method, HttpRequest.BodyPublishers.ofString(body));
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode search(String collection, String mode, String query) throws Exception {
      var r =
          send(
              "POST",
              "/v1/collections/" + collection + "/search",
              JSON.writeValueAsString(Map.of("query", query, "k", 5, "mode", mode)));
      assertThat(r.statusCode()).as("search on %s: %s", base, r.body()).isEqualTo(200);
      return JSON.readTree(r.body());
    }

    /** Hits of this node's embedding cache in the store (the persistent tier) so far. */
    double persistentCacheHits() throws Exception {
      String metrics = send("GET", "/metrics", null).body();
      Matcher m = PERSISTENT_CACHE_HITS.matcher(metrics);
      return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Override
    public void close() throws IOException {
      serve.stop.countDown();
      int code;
      try {
        code = exit.get(2, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while serve stopped");
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        throw new AssertionError("serve did not stop cleanly: " + err, e);
      }
      assertThat(code).as(err.toString()).isZero();
    }
  }

  private static java.util.List<String> docIds(JsonNode result) {
    var ids = new java.util.ArrayList<String>();
    result.get("hits").forEach(h -> ids.add(h.get("docId").asText()));
    return ids;
  }

  private static String firstDocId(JsonNode result) {
    assertThat(result.get("hits")).as(result.toString()).isNotEmpty();
    return result.get("hits").get(0).get("docId").asText();
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void whatOneNodeWritesDropsAndEmbedsTheOtherSees() throws Exception {
    try (Node a = new Node("node-a");
        Node b = new Node("node-b")) {
      assertThat(a.send("PUT", "/v1/collections/notes", null).statusCode()).isEqualTo(201);

      // Ingested through A with ?wait=true: searchable on B at once, in every mode.
      var posted =
          a.send(
              "POST",
              "/v1/collections/notes/documents?wait=true",
              JSON.writeValueAsString(
                  Map.of(
                      "documents",
                      java.util.List.of(
                          Map.of("id", "tides", "text", "The moon's pull raises the ocean tides."),
                          Map.of(
                              "id", "bees", "text", "Bees dance to tell the hive of flowers.")))));
      assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
      assertThat(firstDocId(b.search("notes", "bm25", "ocean tides"))).isEqualTo("tides");
      assertThat(firstDocId(b.search("notes", "hybrid", "ocean tides"))).isEqualTo("tides");
      // The simulator's vectors carry no meaning: vector search finds both, in some order.
      assertThat(docIds(b.search("notes", "vector", "ocean tides")))
          .containsExactlyInAnyOrder("tides", "bees");
      var listed = JSON.readTree(b.send("GET", "/v1/collections/notes", null).body());
      assertThat(listed.toString()).contains("\"documents\":2");

      // The embedding cache is the store's: a query A embedded, B finds there; the provider hears
      // nothing. A query nobody asked before does reach the provider, from B too.
      a.search("notes", "vector", "where do flowers grow");
      long inputs = provider.counters().inputsEmbedded();
      double hits = b.persistentCacheHits();
      assertThat(docIds(b.search("notes", "vector", "where do flowers grow")))
          .containsExactlyInAnyOrder("tides", "bees");
      assertThat(provider.counters().inputsEmbedded()).isEqualTo(inputs);
      assertThat(b.persistentCacheHits()).isEqualTo(hits + 1);
      b.search("notes", "vector", "a question only B asks");
      assertThat(provider.counters().inputsEmbedded()).isEqualTo(inputs + 1);

      // Dropped on A (B has it open): gone on B.
      assertThat(a.send("DELETE", "/v1/collections/notes", null).statusCode()).isEqualTo(204);
      var search =
          b.send("POST", "/v1/collections/notes/search", "{\"query\":\"ocean tides\",\"k\":3}");
      assertThat(search.statusCode()).as(search.body()).isEqualTo(404);
      assertThat(b.send("GET", "/v1/collections/notes", null).statusCode()).isEqualTo(404);
      assertThat(JSON.readTree(b.send("GET", "/v1/collections", null).body()).toString())
          .doesNotContain("\"notes\"");
    }
  }
}
