package dev.ragtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ragtime mcp} as a real child process with the real local model, driven by the MCP SDK's
 * stdio client: the tools are listed and called, nothing but protocol reaches stdout, and on stop
 * the child commits, so a later CLI search finds what the agent ingested.
 */
class McpCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  private static String text(McpSchema.CallToolResult r) {
    return ((McpSchema.TextContent) r.content().get(0)).text();
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void anAgentIngestsAndSearchesOverStdio() throws Exception {
    Path data = tmp.resolve("data");
    String nativeDir = Path.of("target", "native").toAbsolutePath().toString();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    var params =
        ServerParameters.builder(java)
            .args(
                "--add-modules",
                "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "--data",
                data.toString(),
                "mcp")
            .env(Map.of("RAGTIME_NATIVE_DIR", nativeDir))
            .build();
    var transport = new StdioClientTransport(params, new JacksonMcpJsonMapper(new ObjectMapper()));
    var stderr = new StringBuffer();
    transport.setStdErrorHandler(line -> stderr.append(line).append('\n'));
    try (var client =
        McpClient.sync(transport)
            .requestTimeout(Duration.ofMinutes(3))
            .initializationTimeout(Duration.ofMinutes(2))
            .build()) {
      assertThat(client.initialize().serverInfo().name()).isEqualTo("ragtime");
      assertThat(client.listTools().tools())
          .extracting(McpSchema.Tool::name)
          .containsExactlyInAnyOrder("search", "ingest_text", "list_collections", "get_document");
      var ingested =
          client.callTool(
              McpSchema.CallToolRequest.builder("ingest_text")
                  .arguments(
                      Map.of(
                          "collection",
                          "agent",
                          "id",
                          "glaciers",
                          "text",
                          "Glaciers carve valleys as the ice slowly grinds the rock beneath."))
                  .build());
      assertThat(ingested.isError()).as(text(ingested) + stderr).isNotEqualTo(Boolean.TRUE);
      assertThat(JSON.readTree(text(ingested)).get("state").asText()).isEqualTo("succeeded");
      var found =
          client.callTool(
              McpSchema.CallToolRequest.builder("search")
                  .arguments(Map.of("collection", "agent", "query", "ice carving valleys"))
                  .build());
      assertThat(JSON.readTree(text(found)).get("hits").get(0).get("docId").asText())
          .isEqualTo("glaciers");
      assertThat(client.closeGracefully()).isTrue();
    }
    assertThat(stderr.toString()).contains("serving MCP over stdio");

    var out = new StringWriter();
    int code =
        Main.run(
            new String[] {
              "--data",
              data.toString(),
              "search",
              "-c",
              "agent",
              "--mode",
              "bm25",
              "--json",
              "glaciers"
            },
            Map.of("RAGTIME_NATIVE_DIR", nativeDir),
            new PrintWriter(out, true),
            new PrintWriter(new StringWriter(), true),
            false);
    assertThat(code).isZero();
    assertThat(JSON.readTree(out.toString()).get("hits").get(0).get("docId").asText())
        .isEqualTo("glaciers");
  }
}
