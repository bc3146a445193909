package dev.ragtime.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A client's mistakes, one by one: each is a 4xx {@code application/problem+json} naming the field
 * that was wrong, never a 500.
 */
class ProblemAuditTest {
  @TempDir static Path tmp;
  static TestServer s;

  @BeforeAll
  static void start() {
    s = new TestServer(tmp.resolve("data"));
    assertThat(s.put("/v1/collections/{name}", "/v1/collections/audit").status())
        .isBetween(200, 201);
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          /v1/collections/audit/search | {"query":"x","k":"ten"}                  | k
          /v1/collections/audit/search | {"query":"x","k":1.5}                    | k
          /v1/collections/audit/search | {"query":"x","k":100000}                 | k
          /v1/collections/audit/search | {"query":"x","mode":"fuzzy"}             | mode
          /v1/collections/audit/search | {"query":42}                             | query
          /v1/collections/audit/search | {"query":"x","filter":["a"]}             | filter
          /v1/collections/audit/search | {"query":"x","filter":{"a":1}}           | filter.a
          /v1/collections/audit/documents | {"id":"a","contentBase64":"%%%","mediaType":"text/plain"} | contentBase64
          /v1/collections/audit/documents | {"id":"../../etc/passwd","text":"x"}  | id
          /v1/collections/audit/documents | {"id":"a","text":7}                    | text
          /v1/collections/audit/documents | {"id":"a","text":"x","metadata":{"k":["v"]}} | metadata.k
          /v1/embeddings               | {"input":5,"model":"default"}            | input
          /v1/embeddings               | {"input":"x","model":"default","encoding_format":"hex"} | encoding_format
          """)
  void aWrongFieldIsA400NamingIt(String path, String body, String field) {
    var r = s.postJson(path, path, body);
    ServerTest.assertProblem(r, 400);
    assertThat(r.json().get("field").asText()).as(r.body()).startsWith(field);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          /v1/collections/audit/search | [1,2]
          /v1/collections/audit/search | {"query":
          /v1/collections/audit/search | "just a string"
          /v1/embeddings               | {"input":["a",
          """)
  void aBodyThatIsNotAJsonObjectIsA400(String path, String body) {
    ServerTest.assertProblem(s.postJson(path, path, body), 400);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "/v1/collections/%2e%2e/search",
    "/v1/collections/a%2Fb/search",
    "/v1/collections/..%5C..%5Cx/search"
  })
  void pathTricksInNamesAreRefusedWithoutA500(String path) {
    var r = s.postJson(path, path, "{\"query\":\"x\"}");
    assertThat(r.status()).as(r.body()).isBetween(400, 499);
    assertThat(r.contentType()).startsWith("application/problem+json");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"text/plain", "application/xml", "application/x-www-form-urlencoded"})
  void aBodyOfAnotherMediaTypeIs415(String type) {
    var r =
        s.send(
            "POST",
            "/v1/collections/{name}/search",
            "/v1/collections/audit/search",
            type,
            "{\"query\":\"x\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    ServerTest.assertProblem(r, 415);
  }
}
