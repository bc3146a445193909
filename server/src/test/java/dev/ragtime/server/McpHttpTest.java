package dev.ragtime.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The MCP server over streamable HTTP at /mcp on the service's own port, with the SDK's client. */
class McpHttpTest {
  @TempDir Path tmp;

  @Test
  void theSdkClientCallsEveryToolOverStreamableHttp() {
    try (var s = new TestServer(tmp.resolve("data"));
        var client =
            McpClient.sync(
                    HttpClientStreamableHttpTransport.builder(s.base).endpoint("/mcp").build())
                .requestTimeout(Duration.ofSeconds(60))
                .build()) {
      var init = client.initialize();
      assertThat(init.serverInfo().name()).isEqualTo("ragtime");
      assertThat(init.capabilities().tools()).isNotNull();
      McpToolCalls.exercise(client);
      // What the tools wrote is what the REST API sees: one service, one set of collections.
      var rest = s.get("/v1/collections/{name}", "/v1/collections/notes");
      assertThat(rest.json().get("documents").asLong()).isEqualTo(2);
    }
  }

  @Test
  void mcpBodiesAreHeldToTheSameLimitAsTheRestRoutes() throws Exception {
    try (var s =
        new TestServer(tmp.resolve("data"), ServerConfig.defaults().withMaxBodyBytes(1024), null)) {
      byte[] big =
          ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"pad\":\""
                  + "x".repeat(2000)
                  + "\"}}")
              .getBytes(java.nio.charset.StandardCharsets.UTF_8);
      var declared = s.send("POST", "/mcp", "/mcp", "application/json", big);
      assertThat(declared.status()).isEqualTo(413);
      assertThat(declared.contentType()).startsWith("application/problem+json");
      assertThat(declared.json().get("detail").asText()).contains("1024");
      // A chunked body (no Content-Length) is measured as it is read.
      var chunked =
          HttpRequest.newBuilder(URI.create(s.base + "/mcp"))
              .header("Content-Type", "application/json")
              .header("Accept", "application/json, text/event-stream")
              .POST(
                  HttpRequest.BodyPublishers.ofInputStream(
                      () -> new java.io.ByteArrayInputStream(big)))
              .build();
      HttpResponse<String> r = s.client.send(chunked, HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(413);
      assertThat(r.headers().firstValue("content-type"))
          .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
      // Within the limit, a chunked body still reaches the MCP server whole.
      String init =
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
              + "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"
              + "\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}";
      var small =
          HttpRequest.newBuilder(URI.create(s.base + "/mcp"))
              .header("Content-Type", "application/json")
              .header("Accept", "application/json, text/event-stream")
              .POST(
                  HttpRequest.BodyPublishers.ofInputStream(
                      () ->
                          new java.io.ByteArrayInputStream(
                              init.getBytes(java.nio.charset.StandardCharsets.UTF_8))))
              .build();
      HttpResponse<String> ok = s.client.send(small, HttpResponse.BodyHandlers.ofString());
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).contains("\"serverInfo\"");
    }
  }

  @Test
  void aRawInitializePostAnswersWithServerInfo() throws Exception {
    try (var s = new TestServer(tmp.resolve("data"))) {
      var request =
          HttpRequest.newBuilder(URI.create(s.base + "/mcp"))
              .header("Content-Type", "application/json")
              .header("Accept", "application/json, text/event-stream")
              .POST(
                  HttpRequest.BodyPublishers.ofString(
                      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
                          + "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"
                          + "\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}"))
              .build();
      HttpResponse<String> r = s.client.send(request, HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("\"serverInfo\"").contains("\"ragtime\"");
      assertThat(r.headers().firstValue("mcp-session-id")).isPresent();
    }
  }
}
