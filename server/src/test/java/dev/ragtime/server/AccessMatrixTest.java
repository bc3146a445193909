package dev.ragtime.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ragtime.server.auth.ApiKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Access control end to end: every operation of the served OpenAPI document, called with no key, a
 * wrong key, a read key, a read-write key and a read-write key limited to another collection,
 * answers exactly the status its rights call for, against a real server with keys configured.
 */
class AccessMatrixTest {
  static final String READ = "read-key-0123456789abcdef";
  static final String WRITE = "write-key-0123456789abcdef";
  static final String OTHER = "other-key-0123456789abcdef";
  static final String WRONG = "wrong-key-0123456789abcdef";

  /** Who calls, with which key. */
  enum Caller {
    NO_KEY(null),
    WRONG_KEY(WRONG),
    READ_KEY(READ),
    WRITE_KEY(WRITE),
    OTHER_COLLECTION_KEY(OTHER);

    final String key;

    Caller(String key) {
      this.key = key;
    }
  }

  /** What an operation needs. */
  enum Needs {
    NOTHING,
    ANY_KEY,
    READ_NOTES,
    WRITE_NOTES
  }

  /**
   * A sample call of one operation against the fixture (collection "notes" with document "d1"), the
   * status it gets when allowed, and whether it changes the fixture (restored after).
   */
  record Sample(Needs needs, String path, String json, int allowed, boolean destroys) {}

  static final String DOC = "{\"id\":\"d1\",\"text\":\"Sourdough rises because yeast ferments.\"}";

  @TempDir static Path tmp;
  static TestServer s;
  static String jobId;

  @BeforeAll
  static void start() {
    var keys = ApiKeys.parse(READ + ":r," + WRITE + ":rw," + OTHER + ":rw:other");
    s = new TestServer(tmp.resolve("data"), ServerConfig.defaults().withKeys(keys), null);
    jobId = fixture();
  }

  @AfterAll
  static void stop() {
    OpenApiConformance.check(s.exchanges);
    s.close();
  }

  /** Creates collection "notes" with document "d1"; returns the posting job's id. */
  static String fixture() {
    s.send("PUT", "/v1/collections/{name}", "/v1/collections/notes", null, null, WRITE);
    var posted =
        s.send(
            "POST",
            "/v1/collections/{name}/documents",
            "/v1/collections/notes/documents?wait=true",
            "application/json",
            DOC.getBytes(StandardCharsets.UTF_8),
            WRITE);
    assertThat(posted.status()).as(posted.body()).isEqualTo(200);
    return posted.json().get("id").asText();
  }

  Map<String, Sample> samples() {
    return Map.ofEntries(
        Map.entry("GET /healthz", new Sample(Needs.NOTHING, "/healthz", null, 200, false)),
        Map.entry("GET /readyz", new Sample(Needs.ANY_KEY, "/readyz", null, 200, false)),
        Map.entry("GET /metrics", new Sample(Needs.ANY_KEY, "/metrics", null, 200, false)),
        Map.entry(
            "GET /openapi.json", new Sample(Needs.ANY_KEY, "/openapi.json", null, 200, false)),
        Map.entry(
            "GET /v1/collections", new Sample(Needs.ANY_KEY, "/v1/collections", null, 200, false)),
        Map.entry(
            "PUT /v1/collections/{name}",
            new Sample(Needs.WRITE_NOTES, "/v1/collections/notes", null, 200, false)),
        Map.entry(
            "GET /v1/collections/{name}",
            new Sample(Needs.READ_NOTES, "/v1/collections/notes", null, 200, false)),
        Map.entry(
            "DELETE /v1/collections/{name}",
            new Sample(Needs.WRITE_NOTES, "/v1/collections/notes", null, 204, true)),
        Map.entry(
            "POST /v1/collections/{name}/documents",
            new Sample(
                Needs.WRITE_NOTES, "/v1/collections/notes/documents?wait=true", DOC, 200, false)),
        Map.entry(
            "GET /v1/collections/{name}/documents/{id}",
            new Sample(Needs.READ_NOTES, "/v1/collections/notes/documents/d1", null, 200, false)),
        Map.entry(
            "DELETE /v1/collections/{name}/documents/{id}",
            new Sample(Needs.WRITE_NOTES, "/v1/collections/notes/documents/d1", null, 200, true)),
        Map.entry(
            "POST /v1/collections/{name}/search",
            new Sample(
                Needs.READ_NOTES,
                "/v1/collections/notes/search",
                "{\"query\":\"yeast\",\"mode\":\"bm25\"}",
                200,
                false)),
        Map.entry("GET /v1/jobs", new Sample(Needs.ANY_KEY, "/v1/jobs", null, 200, false)),
        Map.entry(
            "GET /v1/jobs/{id}",
            new Sample(Needs.READ_NOTES, "/v1/jobs/" + jobId, null, 200, false)),
        Map.entry(
            "POST /v1/embeddings",
            new Sample(
                Needs.ANY_KEY,
                "/v1/embeddings",
                "{\"input\":\"hello\",\"model\":\"default\"}",
                200,
                false)));
  }

  /** The status {@code caller} must get from an operation that needs {@code needs}. */
  static int expected(Caller caller, Sample sample) {
    if (sample.needs() == Needs.NOTHING) {
      return sample.allowed();
    }
    return switch (caller) {
      case NO_KEY, WRONG_KEY -> 401;
      case READ_KEY -> sample.needs() == Needs.WRITE_NOTES ? 403 : sample.allowed();
      case WRITE_KEY -> sample.allowed();
      case OTHER_COLLECTION_KEY ->
          sample.needs() == Needs.READ_NOTES || sample.needs() == Needs.WRITE_NOTES
              ? 403
              : sample.allowed();
    };
  }

  @Test
  void everyOperationAnswersEachCallerAsItsRightsSay() {
    JsonNode spec = s.send("GET", "/openapi.json", "/openapi.json", null, null, READ).json();
    Map<String, Sample> samples = samples();
    var operations = new TreeSet<String>();
    Iterator<Map.Entry<String, JsonNode>> paths = spec.get("paths").properties().iterator();
    while (paths.hasNext()) {
      var path = paths.next();
      for (String method : List.of("get", "put", "post", "delete", "patch")) {
        if (path.getValue().has(method)) {
          operations.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey());
        }
      }
    }
    assertThat(samples.keySet())
        .as("a sample call for every operation of the OpenAPI document")
        .containsExactlyInAnyOrderElementsOf(operations);

    var soft = new SoftAssertions();
    var calls = new ArrayList<String>();
    for (String operation : operations) {
      String method = operation.substring(0, operation.indexOf(' '));
      String route = operation.substring(operation.indexOf(' ') + 1);
      Sample sample = samples.get(operation);
      for (Caller caller : Caller.values()) {
        var r =
            s.send(
                method,
                route,
                sample.path(),
                sample.json() == null ? null : "application/json",
                sample.json() == null ? null : sample.json().getBytes(StandardCharsets.UTF_8),
                caller.key);
        int want = expected(caller, sample);
        calls.add(operation + " " + caller);
        soft.assertThat(r.status())
            .as("%s with %s: %s", operation, caller, r.body())
            .isEqualTo(want);
        if (want == 401) {
          soft.assertThat(r.header("WWW-Authenticate")).as(operation).startsWith("Bearer");
          soft.assertThat(r.contentType()).as(operation).startsWith("application/problem+json");
          soft.assertThat(r.body()).as(operation).doesNotContain(WRONG);
        }
        if (want == 403) {
          soft.assertThat(r.contentType()).as(operation).startsWith("application/problem+json");
          soft.assertThat(r.body()).as(operation).doesNotContain(caller.key);
        }
        if (r.status() == sample.allowed() && sample.destroys()) {
          fixture();
        }
      }
    }
    soft.assertAll();
    assertThat(calls).hasSize(operations.size() * Caller.values().length);
  }

  @Test
  void listsShowOnlyTheCollectionsAndJobsAKeyReaches() {
    assertThat(
            s.send("PUT", "/v1/collections/{name}", "/v1/collections/other", null, null, OTHER)
                .status())
        .isIn(200, 201);
    var posted =
        s.send(
            "POST",
            "/v1/collections/{name}/documents",
            "/v1/collections/other/documents?wait=true",
            "application/json",
            DOC.getBytes(StandardCharsets.UTF_8),
            OTHER);
    assertThat(posted.status()).isEqualTo(200);

    assertThat(names(s.send("GET", "/v1/collections", "/v1/collections", null, null, OTHER)))
        .containsExactly("other");
    assertThat(names(s.send("GET", "/v1/collections", "/v1/collections", null, null, READ)))
        .contains("notes", "other");
    var otherJobs = s.send("GET", "/v1/jobs", "/v1/jobs", null, null, OTHER).json().get("jobs");
    assertThat(otherJobs).isNotEmpty().allMatch(j -> j.get("collection").asText().equals("other"));
    var allJobs = s.send("GET", "/v1/jobs", "/v1/jobs", null, null, WRITE).json().get("jobs");
    assertThat(allJobs).anyMatch(j -> j.get("collection").asText().equals("notes"));
  }

  @Test
  void aBearerOfTheWrongSchemeOrAnUnknownPathStillNeedsAKey() {
    var basic =
        s.client
            .sendAsync(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(s.base + "/v1/jobs"))
                    .header("Authorization", "Basic " + READ)
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString())
            .join();
    assertThat(basic.statusCode()).isEqualTo(401);
    assertThat(basic.body()).doesNotContain(READ);
    assertThat(s.send("GET", "unmatched", "/nowhere", null, null, null).status()).isEqualTo(401);
    assertThat(s.send("GET", "unmatched", "/nowhere", null, null, READ).status()).isEqualTo(404);
    String metrics = s.send("GET", "/metrics", "/metrics", null, null, READ).body();
    assertThat(metrics)
        .contains("ragtime_http_server_unauthorized_total{reason=\"scheme\"}")
        .contains("ragtime_http_server_unauthorized_total{reason=\"missing\"}");
  }

  @Test
  void theSearchPagesStaticFilesNeedNoKey() throws Exception {
    for (String path : List.of("/", "/page.js", "/page.css")) {
      var r =
          s.client.send(
              java.net.http.HttpRequest.newBuilder(java.net.URI.create(s.base + path)).build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(path).isEqualTo(200);
    }
  }

  private static List<String> names(TestServer.Response r) {
    var out = new ArrayList<String>();
    r.json().get("collections").forEach(c -> out.add(c.get("name").asText()));
    return out;
  }
}
