package dev.ragtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ragtime serve} in-process with the real local model: the server is built from the CLI's
 * composition root, ingests {@code --ingest} in the background, serves the API, and on stop drains
 * and commits, so a later CLI search sees what was posted.
 */
class ServeCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void servesIngestsInTheBackgroundAndCommitsOnStop() throws Exception {
    Path docs = Files.createDirectories(tmp.resolve("docs"));
    Files.writeString(docs.resolve("tides.md"), "# Tides\n\nThe moon's pull raises the tides.\n");
    Files.writeString(docs.resolve("bees.txt"), "Bees dance to tell the hive where flowers are.\n");
    Path data = tmp.resolve("data");
    Map<String, String> env =
        Map.of("RAGTIME_NATIVE_DIR", Path.of("target", "native").toAbsolutePath().toString());
    var err = new StringWriter();
    var cmd =
        new CommandLine(
            new Main(
                env, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), false));
    ServeCommand serve = cmd.getSubcommands().get("serve").getCommand();
    var exit =
        CompletableFuture.supplyAsync(
            () ->
                cmd.execute(
                    "--data",
                    data.toString(),
                    "serve",
                    "--port",
                    "0",
                    "-c",
                    "notes",
                    "--ingest",
                    docs.toString()));
    try {
      checkServing(serve.listening.get());
    } finally {
      serve.stop.countDown();
    }
    assertThat(exit.get()).as(err.toString()).isZero();

    var out = new StringWriter();
    int code =
        Main.run(
            new String[] {
              "--data",
              data.toString(),
              "search",
              "-c",
              "notes",
              "--mode",
              "bm25",
              "--json",
              "glaciers"
            },
            env,
            new PrintWriter(out, true),
            new PrintWriter(new StringWriter(), true),
            false);
    assertThat(code).isZero();
    assertThat(JSON.readTree(out.toString()).get("hits").get(0).get("docId").asText())
        .isEqualTo("glaciers");
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void apiKeysFromTheEnvironmentGuardTheService() throws Exception {
    String key = "serve-key-0123456789abcdef";
    Map<String, String> env =
        Map.of(
            "RAGTIME_NATIVE_DIR",
            Path.of("target", "native").toAbsolutePath().toString(),
            "RAGTIME_API_KEYS",
            key + ":r");
    var err = new StringWriter();
    var cmd =
        new CommandLine(
            new Main(
                env, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), false));
    ServeCommand serve = cmd.getSubcommands().get("serve").getCommand();
    var exit =
        CompletableFuture.supplyAsync(
            () -> cmd.execute("--data", tmp.resolve("data").toString(), "serve", "--port", "0"));
    try {
      String base = "http://127.0.0.1:" + serve.listening.get();
      var http = HttpClient.newHttpClient();
      var anonymous =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/v1/collections")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(anonymous.statusCode()).isEqualTo(401);
      var keyed =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/v1/collections"))
                  .header("Authorization", "Bearer " + key)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(keyed.statusCode()).isEqualTo(200);
    } finally {
      serve.stop.countDown();
    }
    assertThat(exit.get()).as(err.toString()).isZero();
    assertThat(err.toString()).contains("requests need an API key (1 set").doesNotContain(key);
  }

  private static void checkServing(int port) throws Exception {
    String base = "http://127.0.0.1:" + port;
    var http = HttpClient.newHttpClient();

    JsonNode job = get(http, base + "/v1/jobs/job-1");
    while (job.get("state").asText().matches("queued|running")) {
      Thread.sleep(50);
      job = get(http, base + "/v1/jobs/job-1");
    }
    assertThat(job.get("state").asText()).as(job.toString()).isEqualTo("succeeded");
    assertThat(job.get("done").asLong()).isEqualTo(2);

    var posted =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/v1/collections/notes/documents?wait=true"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"id\":\"glaciers\",\"text\":\"Glaciers carve valleys of ice.\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
    var hits =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/v1/collections/notes/search"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\":\"moon tides\",\"k\":3}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(JSON.readTree(hits.body()).get("hits").get(0).get("docId").asText())
        .isEqualTo("tides.md");
    String metrics =
        http.send(
                HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    // The pipeline built by the composition root registers on the registry the server scrapes.
    assertThat(metrics).contains("ragtime_embedding_texts_total").contains("ragtime_http_server_");
  }

  private static JsonNode get(HttpClient http, String url) throws Exception {
    var r =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body());
  }
}
