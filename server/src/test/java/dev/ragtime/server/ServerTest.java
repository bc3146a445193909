package dev.ragtime.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ragtime.embed.EmbeddingModel;
import dev.ragtime.embed.ModelInfo;
import dev.ragtime.index.LuceneCollections;
import dev.ragtime.provider.ProviderUnavailableException;
import dev.ragtime.testing.FakeEmbeddingModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The REST API end to end against a real server, a real index and the fake model. */
class ServerTest {
  static final String COLLECTION = "/v1/collections/{name}";
  static final String DOCUMENTS = "/v1/collections/{name}/documents";
  static final String DOCUMENT = "/v1/collections/{name}/documents/{id}";
  static final String SEARCH = "/v1/collections/{name}/search";

  @TempDir static Path tmp;
  static TestServer s;

  @BeforeAll
  static void start() {
    s = new TestServer(tmp.resolve("data"));
  }

  @AfterAll
  static void stop() {
    OpenApiConformance.check(s.exchanges);
    s.close();
  }

  @Test
  void embeddingsGatewayAnswersInTheDocumentedShape() {
    var floats =
        s.postJson(
            "/v1/embeddings",
            "/v1/embeddings",
            "{\"input\":[\"hello world\",\"second\"],\"model\":\"default\"}");
    assertThat(floats.status()).isEqualTo(200);
    assertThat(floats.json().get("data")).hasSize(2);
    assertThat(floats.json().get("data").get(0).get("embedding"))
        .hasSize(s.model.info().dimension());
    var base64 =
        s.postJson(
            "/v1/embeddings",
            "/v1/embeddings",
            "{\"input\":\"hello\",\"model\":\"default\",\"encoding_format\":\"base64\"}");
    assertThat(base64.status()).isEqualTo(200);
    var bad =
        s.postJson(
            "/v1/embeddings",
            "/v1/embeddings",
            "{\"input\":\"x\",\"model\":\"default\",\"dimensions\":3}");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().get("field").asText()).isEqualTo("dimensions");
  }

  private static String doc(String id, String text) {
    return "{\"id\":\"" + id + "\",\"text\":\"" + text + "\",\"metadata\":{\"lang\":\"en\"}}";
  }

  @Test
  void documentsPostedWithWaitAreFoundAndRepostingEmbedsNothing() {
    assertThat(s.put(COLLECTION, "/v1/collections/bread").status()).isEqualTo(201);
    assertThat(s.put(COLLECTION, "/v1/collections/bread").status()).isEqualTo(200);

    var posted =
        s.postJson(
            DOCUMENTS,
            "/v1/collections/bread/documents?wait=true",
            "{\"documents\":["
                + doc("sourdough", "Sourdough rises because wild yeast ferments the dough.")
                + ","
                + doc("volcano", "Lava erupts from the volcano vent as magma reaches the surface.")
                + "]}");
    assertThat(posted.status()).isEqualTo(200);
    assertThat(posted.json().get("state").asText()).isEqualTo("succeeded");
    assertThat(posted.json().get("embedded").asLong()).isEqualTo(2);

    var hits =
        s.postJson(
            SEARCH, "/v1/collections/bread/search", "{\"query\":\"yeast ferments dough\",\"k\":5}");
    assertThat(hits.status()).isEqualTo(200);
    JsonNode first = hits.json().get("hits").get(0);
    assertThat(first.get("docId").asText()).isEqualTo("sourdough");
    assertThat(first.get("metadata").get("lang").asText()).isEqualTo("en");
    assertThat(first.get("metadata").get("source").asText()).isEqualTo("api:sourdough");
    assertThat(hits.json().get("mode").asText()).isEqualTo("hybrid");

    int textsBefore = s.model.embeddedTexts();
    var again =
        s.postJson(
            DOCUMENTS,
            "/v1/collections/bread/documents?wait=true",
            doc("sourdough", "Sourdough rises because wild yeast ferments the dough."));
    assertThat(again.json().get("unchanged").asLong()).isEqualTo(1);
    assertThat(again.json().get("embedded").asLong()).isZero();
    assertThat(s.model.embeddedTexts()).isEqualTo(textsBefore);

    var filtered =
        s.postJson(
            SEARCH,
            "/v1/collections/bread/search",
            "{\"query\":\"magma\",\"mode\":\"bm25\",\"filter\":{\"lang\":\"de\"}}");
    assertThat(filtered.json().get("hits")).isEmpty();

    var info = s.get(DOCUMENT, "/v1/collections/bread/documents/volcano");
    assertThat(info.status()).isEqualTo(200);
    assertThat(info.json().get("contentHash").asText()).hasSize(64);
    assertThat(s.get(COLLECTION, "/v1/collections/bread").json().get("documents").asLong())
        .isEqualTo(2);
    var list = s.get("/v1/collections", "/v1/collections").json().get("collections");
    assertThat(list.findValuesAsText("name")).contains("bread");

    assertThat(s.delete(DOCUMENT, "/v1/collections/bread/documents/volcano").status())
        .isEqualTo(200);
    assertThat(s.get(DOCUMENT, "/v1/collections/bread/documents/volcano").status()).isEqualTo(404);
    assertThat(s.delete(DOCUMENT, "/v1/collections/bread/documents/volcano").status())
        .isEqualTo(404);
  }

  @Test
  void aPostWithoutWaitAnswers202WithAJobThatFinishes() throws Exception {
    s.put(COLLECTION, "/v1/collections/async");
    var r =
        s.postJson(
            DOCUMENTS,
            "/v1/collections/async/documents",
            "{\"id\":\"notes/a.md\",\"text\":\"# Title\\n\\nSome markdown text about rivers.\","
                + "\"mediaType\":\"text/markdown\"}");
    assertThat(r.status()).isEqualTo(202);
    String id = r.json().get("id").asText();
    assertThat(r.header("Location")).isEqualTo("/v1/jobs/" + id);
    // The job record itself says when it is done; wait on the server's own future, not a clock.
    s.server.jobs().get(id).orElseThrow().done().get();
    var job = s.get("/v1/jobs/{id}", "/v1/jobs/" + id);
    assertThat(job.json().get("state").asText()).isEqualTo("succeeded");
    assertThat(s.get("/v1/jobs", "/v1/jobs").json().get("jobs").findValuesAsText("id"))
        .contains(id);
    var doc = s.get(DOCUMENT, "/v1/collections/async/documents/notes/a.md");
    assertThat(doc.status()).isEqualTo(200);
    assertThat(doc.json().get("id").asText()).isEqualTo("notes/a.md");
    var unknown = s.get("/v1/jobs/{id}", "/v1/jobs/job-999999");
    assertThat(unknown.status()).isEqualTo(404);
    // The route's own detail, not the no-route handler's (which Javalin runs on any 404).
    assertThat(unknown.json().get("detail").asText()).startsWith("no job 'job-999999'");
  }

  @Test
  void base64AndMultipartUploadsAreParsedByType() {
    s.put(COLLECTION, "/v1/collections/uploads");
    String html =
        "<html><head><title>Harbour</title></head><body><p>Boats moor in the harbour.</p></body></html>";
    var r =
        s.postJson(
            DOCUMENTS,
            "/v1/collections/uploads/documents?wait=true",
            "{\"id\":\"harbour\",\"mediaType\":\"text/html\",\"contentBase64\":\""
                + Base64.getEncoder().encodeToString(html.getBytes(StandardCharsets.UTF_8))
                + "\"}");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("chunks").asLong()).isEqualTo(1);

    String boundary = "ragtimeboundary";
    String body =
        "--"
            + boundary
            + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"glacier.md\"\r\n"
            + "Content-Type: text/markdown\r\n\r\n# Glaciers\n\nIce carves the valley slowly.\r\n--"
            + boundary
            + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"desert.txt\"\r\n"
            + "Content-Type: text/plain\r\n\r\nDunes shift in the desert wind.\r\n--"
            + boundary
            + "\r\nContent-Disposition: form-data; name=\"metadata\"\r\n\r\n{\"team\":\"geo\"}\r\n--"
            + boundary
            + "--\r\n";
    var up =
        s.send(
            "POST",
            DOCUMENTS,
            "/v1/collections/uploads/documents?wait=true",
            "multipart/form-data; boundary=" + boundary,
            body.getBytes(StandardCharsets.UTF_8));
    assertThat(up.status()).as(up.body()).isEqualTo(200);
    assertThat(up.json().get("total").asLong()).isEqualTo(2);
    assertThat(up.json().get("failed").asLong()).isZero();
    var hits =
        s.postJson(
            SEARCH,
            "/v1/collections/uploads/search",
            "{\"query\":\"ice valley\",\"mode\":\"bm25\",\"filter\":{\"team\":\"geo\"}}");
    assertThat(hits.json().get("hits").get(0).get("docId").asText()).isEqualTo("glacier.md");
    assertThat(hits.json().get("hits").get(0).get("metadata").get("type").asText()).isEqualTo("md");
  }

  @Test
  void clientMistakesAreProblemsThatNameTheField() {
    s.put(COLLECTION, "/v1/collections/errors");
    var malformed = s.postJson(SEARCH, "/v1/collections/errors/search", "{\"query\": ");
    assertProblem(malformed, 400);
    assertThat(malformed.json().get("detail").asText()).contains("malformed JSON");

    var badK = s.postJson(SEARCH, "/v1/collections/errors/search", "{\"query\":\"x\",\"k\":0}");
    assertProblem(badK, 400);
    assertThat(badK.json().get("field").asText()).isEqualTo("k");

    var badMode =
        s.postJson(SEARCH, "/v1/collections/errors/search", "{\"query\":\"x\",\"mode\":\"fuzzy\"}");
    assertThat(badMode.json().get("field").asText()).isEqualTo("mode");

    var badFilter =
        s.postJson(
            SEARCH, "/v1/collections/errors/search", "{\"query\":\"x\",\"filter\":{\"n\":1}}");
    assertThat(badFilter.json().get("field").asText()).isEqualTo("filter.n");

    var noQuery = s.postJson(SEARCH, "/v1/collections/errors/search", "{\"k\":3}");
    assertThat(noQuery.json().get("field").asText()).isEqualTo("query");

    var missing = s.postJson(SEARCH, "/v1/collections/nothere/search", "{\"query\":\"x\"}");
    assertProblem(missing, 404);

    var pathTrick = s.put(COLLECTION, "/v1/collections/..");
    assertThat(pathTrick.status()).isIn(400, 404);
    var badName = s.put(COLLECTION, "/v1/collections/a%20b");
    assertProblem(badName, 400);
    assertThat(badName.json().get("field").asText()).isEqualTo("name");

    var dotId =
        s.postJson(DOCUMENTS, "/v1/collections/errors/documents", doc("../etc/passwd", "x"));
    assertProblem(dotId, 400);
    assertThat(dotId.json().get("field").asText()).isEqualTo("id");

    var batchId =
        s.postJson(
            DOCUMENTS,
            "/v1/collections/errors/documents",
            "{\"documents\":[" + doc("ok", "fine") + ",{\"id\":\"\",\"text\":\"x\"}]}");
    assertThat(batchId.json().get("field").asText()).isEqualTo("documents[1].id");

    var both =
        s.postJson(
            DOCUMENTS,
            "/v1/collections/errors/documents",
            "{\"id\":\"a\",\"text\":\"x\",\"contentBase64\":\"eA==\",\"mediaType\":\"text/plain\"}");
    assertThat(both.json().get("field").asText()).isEqualTo("text");

    var reserved =
        s.postJson(
            DOCUMENTS,
            "/v1/collections/errors/documents",
            "{\"id\":\"a\",\"text\":\"x\",\"metadata\":{\"source\":\"me\"}}");
    assertThat(reserved.json().get("field").asText()).isEqualTo("metadata.source");

    var badType =
        s.postJson(
            DOCUMENTS,
            "/v1/collections/errors/documents",
            "{\"id\":\"a\",\"contentBase64\":\"eA==\",\"mediaType\":\"image/png\"}");
    assertProblem(badType, 415);

    var textBody =
        s.send(
            "POST",
            SEARCH,
            "/v1/collections/errors/search",
            "text/plain",
            "query".getBytes(StandardCharsets.UTF_8));
    assertProblem(textBody, 415);

    var brokenMultipart =
        s.send(
            "POST",
            DOCUMENTS,
            "/v1/collections/errors/documents",
            "multipart/form-data; boundary=nothere",
            "this is not multipart at all".getBytes(StandardCharsets.UTF_8));
    assertProblem(brokenMultipart, 400);

    var notAllowed = s.send("PATCH", COLLECTION, "/v1/collections/errors", null, null);
    assertProblem(notAllowed, 405);
    var noRoute = s.get("unmatched", "/v2/nothing");
    assertProblem(noRoute, 404);
  }

  @Test
  void healthReadinessAndMetrics() {
    var health = s.get("/healthz", "/healthz");
    assertThat(health.status()).isEqualTo(200);
    var ready = s.get("/readyz", "/readyz");
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.json().get("checks").get("model").asBoolean()).isTrue();
    s.get("/healthz", "/healthz");
    var metrics = s.get("/metrics", "/metrics");
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.contentType()).startsWith("text/plain");
    assertThat(metrics.body())
        .contains(
            "ragtime_http_server_requests_seconds_count{method=\"GET\",route=\"/healthz\",status=\"200\"}");
    var openapi = s.get("/openapi.json", "/openapi.json");
    assertThat(openapi.json().get("openapi").asText()).startsWith("3.1");
  }

  @Test
  void aCollectionAnotherWriterHoldsIsAConflictButStillListed() {
    try (var held =
        LuceneCollections.at(tmp.resolve("data")).open("held", FakeEmbeddingModel.DEFAULT_INFO)) {
      assertProblem(s.put(COLLECTION, "/v1/collections/held"), 409);
      assertProblem(s.postJson(SEARCH, "/v1/collections/held/search", "{\"query\":\"x\"}"), 409);
      assertThat(s.get(COLLECTION, "/v1/collections/held").status()).isEqualTo(200);
      assertThat(
              s.get("/v1/collections", "/v1/collections")
                  .json()
                  .get("collections")
                  .findValuesAsText("name"))
          .contains("held");
      assertThat(held.name()).isEqualTo("held");
    }
  }

  @Test
  void deletingACollectionRemovesIt() {
    s.put(COLLECTION, "/v1/collections/doomed");
    assertThat(s.delete(COLLECTION, "/v1/collections/doomed").status()).isEqualTo(204);
    assertThat(s.get(COLLECTION, "/v1/collections/doomed").status()).isEqualTo(404);
    assertThat(s.delete(COLLECTION, "/v1/collections/doomed").status()).isEqualTo(404);
  }

  @Test
  void aProviderOutageIsA503WithTheProvidersRetryAfter(@TempDir Path dir) {
    EmbeddingModel down =
        new EmbeddingModel() {
          @Override
          public ModelInfo info() {
            return FakeEmbeddingModel.DEFAULT_INFO;
          }

          @Override
          public List<float[]> embed(List<String> texts) {
            throw new ProviderUnavailableException(
                "503 from the provider",
                503,
                "http://127.0.0.1:1",
                Optional.of(Duration.ofMillis(6500)),
                false,
                null);
          }
        };
    try (var outage = new TestServer(dir, ServerConfig.defaults(), null, down)) {
      outage.put(COLLECTION, "/v1/collections/o");
      var r =
          outage.postJson(
              SEARCH, "/v1/collections/o/search", "{\"query\":\"x\",\"mode\":\"vector\"}");
      assertProblem(r, 503);
      assertThat(r.header("Retry-After")).isEqualTo("7");
      var bm25 =
          outage.postJson(
              SEARCH, "/v1/collections/o/search", "{\"query\":\"x\",\"mode\":\"bm25\"}");
      assertThat(bm25.status()).isEqualTo(200);
      s.exchanges.addAll(outage.exchanges);
    }
  }

  @Test
  void closingLetsARequestInFlightFinish(@TempDir Path dir) throws Exception {
    var entered = new CountDownLatch(1);
    var release = new CountDownLatch(1);
    var fake = new FakeEmbeddingModel();
    EmbeddingModel slow =
        new EmbeddingModel() {
          @Override
          public ModelInfo info() {
            return fake.info();
          }

          @Override
          public List<float[]> embed(List<String> texts) {
            entered.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IllegalStateException(e);
            }
            return fake.embed(texts);
          }
        };
    var server = new TestServer(dir, ServerConfig.defaults(), null, slow);
    server.put(COLLECTION, "/v1/collections/g");
    var inFlight =
        CompletableFuture.supplyAsync(
            () ->
                server.postJson(
                    SEARCH, "/v1/collections/g/search", "{\"query\":\"x\",\"mode\":\"vector\"}"));
    entered.await();
    var closing = CompletableFuture.runAsync(server::close);
    // Release the search only once stopping has begun, so it is in flight across the stop.
    while (!server.server.stopping()) {
      Thread.onSpinWait();
    }
    release.countDown();
    assertThat(inFlight.get().status()).isEqualTo(200);
    closing.get();
    s.exchanges.addAll(server.exchanges);
  }

  static void assertProblem(TestServer.Response r, int status) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.contentType()).startsWith("application/problem+json");
    assertThat(r.json().get("status").asInt()).isEqualTo(status);
    assertThat(r.json().get("detail").asText()).isNotBlank();
  }

  /** An executor that holds its tasks until told to run them. */
  static final class HeldExecutor implements Executor {
    final List<Runnable> held = new ArrayList<>();

    @Override
    public synchronized void execute(Runnable command) {
      held.add(command);
    }

    synchronized void runAll() {
      held.forEach(Runnable::run);
      held.clear();
    }
  }

  @Test
  void aFullIngestionQueueAnswers429WithRetryAfterAndOversizedBodies413(@TempDir Path dir) {
    var held = new HeldExecutor();
    var config =
        ServerConfig.defaults()
            .withMaxBodyBytes(2048)
            .withJobs(new dev.ragtime.server.jobs.Jobs.JobLimits(1, 1 << 20, 10));
    try (var small = new TestServer(dir, config, held)) {
      small.put(COLLECTION, "/v1/collections/q");
      var first = small.postJson(DOCUMENTS, "/v1/collections/q/documents", doc("one", "first"));
      assertThat(first.status()).isEqualTo(202);
      var second = small.postJson(DOCUMENTS, "/v1/collections/q/documents", doc("two", "second"));
      assertProblem(second, 429);
      assertThat(Long.parseLong(second.header("Retry-After"))).isPositive();
      held.runAll();
      var third = small.postJson(DOCUMENTS, "/v1/collections/q/documents", doc("three", "third"));
      assertThat(third.status()).isEqualTo(202);
      held.runAll();

      var big =
          small.postJson(DOCUMENTS, "/v1/collections/q/documents", doc("big", "x".repeat(4000)));
      assertProblem(big, 413);
      s.exchanges.addAll(small.exchanges);
    }
  }
}
