package dev.ragtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragtime.index.LuceneCollections;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ragtime serve} as a child process, with the real local model: documents are posted (202,
 * ingested in the background), SIGTERM arrives while they are still being embedded, and the process
 * drains, commits and exits 0; a new process then finds every acknowledged document.
 */
class ServeSigtermTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SERVING =
      Pattern.compile("serving on http://127\\.0\\.0\\.1:(\\d+)");

  @TempDir Path tmp;

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void sigtermDrainsAcknowledgedIngestionCommitsAndExitsZero() throws Exception {
    Path data = tmp.resolve("data");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    var pb =
        new ProcessBuilder(
            java,
            "-cp",
            System.getProperty("java.class.path"),
            Main.class.getName(),
            "--data",
            data.toString(),
            "serve",
            "--port",
            "0");
    // A native directory of its own: a process killed while unpacking must not leave a shared one
    // half-written for other tests.
    pb.environment().put("RAGTIME_NATIVE_DIR", tmp.resolve("native").toString());
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    Path log = tmp.resolve("serve.log");
    pb.redirectError(log.toFile());
    Process child = pb.start();
    var stderr =
        new Object() {
          @Override
          public String toString() {
            try {
              return Files.readString(log);
            } catch (java.io.IOException e) {
              return "(no log: " + e + ")";
            }
          }
        };
    try {
      int port = -1;
      while (port < 0 && child.isAlive()) {
        Matcher m = SERVING.matcher(stderr.toString());
        if (m.find()) {
          port = Integer.parseInt(m.group(1));
        } else {
          TimeUnit.MILLISECONDS.sleep(50);
        }
      }
      assertThat(port).as(stderr.toString()).isPositive();

      var client = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + port;
      // The model loads in the background; wait until it is ready so that the ingestion the
      // signal interrupts is real embedding work.
      while (send(client, HttpRequest.newBuilder(URI.create(base + "/readyz")).GET()).statusCode()
          != 200) {
        assertThat(child.isAlive()).as(stderr.toString()).isTrue();
        TimeUnit.MILLISECONDS.sleep(100);
      }
      send(
          client,
          HttpRequest.newBuilder(URI.create(base + "/v1/collections/notes"))
              .PUT(HttpRequest.BodyPublishers.noBody()));
      Set<String> acknowledged = new HashSet<>();
      List<String> jobs = new ArrayList<>();
      for (int batch = 0; batch < 4; batch++) {
        var docs = new StringBuilder("{\"documents\":[");
        for (int i = 0; i < 25; i++) {
          String id = "doc-" + batch + "-" + i;
          docs.append(i == 0 ? "" : ",")
              .append("{\"id\":\"")
              .append(id)
              .append("\",\"text\":\"Document ")
              .append(id)
              .append(" tells of tides, bees, glaciers and the moon, number ")
              .append(batch * 25 + i)
              .append(".\"}");
        }
        docs.append("]}");
        HttpResponse<String> r =
            send(
                client,
                HttpRequest.newBuilder(URI.create(base + "/v1/collections/notes/documents"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(docs.toString())));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        jobs.add(JSON.readTree(r.body()).get("id").asText());
        for (int i = 0; i < 25; i++) {
          acknowledged.add("doc-" + batch + "-" + i);
        }
      }
      // At least the last job is still queued or running when the signal arrives (100 texts
      // through the real model take far longer than the posts did); the test does not depend on
      // it, only on everything acknowledged being committed.
      child.destroy(); // SIGTERM on Linux
      assertThat(child.waitFor(3, TimeUnit.MINUTES)).as("the child exits").isTrue();
      assertThat(child.exitValue()).as(stderr.toString()).isZero();

      // This JVM is the new process: it opens what the child committed.
      try (var index = LuceneCollections.at(data).openExisting("notes")) {
        assertThat(index.documentIds())
            .as(stderr.toString())
            .containsExactlyInAnyOrderElementsOf(acknowledged);
      }
      assertThat(jobs).hasSize(4);
    } finally {
      if (child.isAlive()) {
        child.destroyForcibly();
      }
    }
  }

  private static HttpResponse<String> send(HttpClient client, HttpRequest.Builder request)
      throws Exception {
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
