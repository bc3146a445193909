package dev.ragtime.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ragtime.server.auth.ApiKeys;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MCP over HTTP behind the same API keys as the REST API, with per-tool rights. */
class McpAccessTest {
  static final String READ = "mcp-read-0123456789abcdef";
  static final String WRITE = "mcp-write-0123456789abcdef";
  static final String OTHER = "mcp-other-0123456789abcdef";

  @TempDir Path tmp;

  private static McpSyncClient client(TestServer s, String key) {
    var transport = HttpClientStreamableHttpTransport.builder(s.base).endpoint("/mcp");
    if (key != null) {
      transport.addHttpRequestCustomizer(
          (request, method, uri, body, context) ->
              request.header("Authorization", "Bearer " + key));
    }
    return McpClient.sync(transport.build()).requestTimeout(Duration.ofSeconds(60)).build();
  }

  private static TestServer server(Path data) {
    var keys = ApiKeys.parse(READ + ":r," + WRITE + ":rw," + OTHER + ":rw:other");
    return new TestServer(data, ServerConfig.defaults().withKeys(keys), null);
  }

  @Test
  void withoutAKeyTheClientCannotConnect() throws Exception {
    try (var s = server(tmp.resolve("data"))) {
      try (var anonymous = client(s, null)) {
        assertThatThrownBy(anonymous::initialize).isInstanceOf(RuntimeException.class);
      }
      HttpResponse<String> raw =
          s.client.send(
              HttpRequest.newBuilder(URI.create(s.base + "/mcp"))
                  .header("Content-Type", "application/json")
                  .header("Accept", "application/json, text/event-stream")
                  .header("Authorization", "Bearer not-a-key-0123456789")
                  .POST(HttpRequest.BodyPublishers.ofString("{}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(raw.statusCode()).isEqualTo(401);
      assertThat(raw.headers().firstValue("WWW-Authenticate"))
          .get()
          .asString()
          .startsWith("Bearer");
      assertThat(raw.body()).doesNotContain("not-a-key");
    }
  }

  @Test
  void eachToolChecksTheRightsOfTheCallersKey() {
    try (var s = server(tmp.resolve("data"));
        var writer = client(s, WRITE);
        var reader = client(s, READ);
        var other = client(s, OTHER)) {
      writer.initialize();
      reader.initialize();
      other.initialize();

      var ingested =
          McpToolCalls.call(
              writer,
              "ingest_text",
              Map.of("collection", "notes", "id", "d1", "text", "Sourdough rises with yeast."));
      assertThat(ingested.isError()).as(McpToolCalls.text(ingested)).isNotEqualTo(Boolean.TRUE);

      var refused =
          McpToolCalls.call(
              reader,
              "ingest_text",
              Map.of("collection", "notes", "id", "d2", "text", "A read key may not write."));
      assertThat(refused.isError()).isTrue();
      assertThat(McpToolCalls.text(refused)).contains("only read").doesNotContain(READ);
      var found =
          McpToolCalls.call(
              reader, "search", Map.of("collection", "notes", "query", "yeast", "mode", "bm25"));
      assertThat(found.isError()).as(McpToolCalls.text(found)).isNotEqualTo(Boolean.TRUE);
      assertThat(McpToolCalls.json(found).get("hits").get(0).get("docId").asText()).isEqualTo("d1");
      var got =
          McpToolCalls.call(reader, "get_document", Map.of("collection", "notes", "id", "d1"));
      assertThat(got.isError()).isNotEqualTo(Boolean.TRUE);

      for (var call :
          Map.of(
                  "search", Map.<String, Object>of("collection", "notes", "query", "yeast"),
                  "get_document", Map.<String, Object>of("collection", "notes", "id", "d1"),
                  "ingest_text",
                      Map.<String, Object>of("collection", "notes", "id", "d3", "text", "x"))
              .entrySet()) {
        var outside = McpToolCalls.call(other, call.getKey(), call.getValue());
        assertThat(outside.isError()).as(call.getKey()).isTrue();
        assertThat(McpToolCalls.text(outside)).as(call.getKey()).contains("'notes'");
      }
      var own =
          McpToolCalls.call(
              other, "ingest_text", Map.of("collection", "other", "id", "o1", "text", "Mine."));
      assertThat(own.isError()).as(McpToolCalls.text(own)).isNotEqualTo(Boolean.TRUE);

      JsonNode otherList =
          McpToolCalls.json(McpToolCalls.call(other, "list_collections", Map.of()));
      assertThat(otherList.get("collections")).hasSize(1);
      assertThat(otherList.get("collections").get(0).get("name").asText()).isEqualTo("other");
      JsonNode readerList =
          McpToolCalls.json(McpToolCalls.call(reader, "list_collections", Map.of()));
      assertThat(readerList.get("collections")).hasSize(2);
      // The refused writes wrote nothing.
      var d2 = McpToolCalls.call(writer, "get_document", Map.of("collection", "notes", "id", "d2"));
      assertThat(d2.isError()).isTrue();
    }
  }
}
