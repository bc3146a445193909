package dev.ragtime.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ragtime.index.LuceneCollections;
import dev.ragtime.testing.FakeEmbeddingModel;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MCP server over stdio in a real child process ({@link StdioMcpChild}), driven by the SDK's
 * stdio client: every tool is called, and once the client has closed the child, the ingested
 * documents are on disk.
 */
class McpStdioTest {
  @TempDir Path tmp;

  @Test
  void theSdkClientCallsEveryToolOverStdio() {
    Path data = tmp.resolve("data");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    var params =
        ServerParameters.builder(java)
            .args(
                "-cp",
                System.getProperty("java.class.path"),
                StdioMcpChild.class.getName(),
                data.toString())
            .build();
    var transport =
        new StdioClientTransport(params, new JacksonMcpJsonMapper(TestServer.JSON.copy()));
    var stderr = new StringBuffer();
    transport.setStdErrorHandler(line -> stderr.append(line).append('\n'));
    try (var client =
        McpClient.sync(transport)
            .requestTimeout(Duration.ofSeconds(60))
            .initializationTimeout(Duration.ofSeconds(60))
            .build()) {
      assertThat(client.initialize().serverInfo().name()).isEqualTo("ragtime");
      McpToolCalls.exercise(client);
      // Ends the child (stdin closed, then SIGTERM) and waits for it to exit.
      assertThat(client.closeGracefully()).isTrue();
    }
    // The child wrote its stray line to stderr (stdout carries only JSON-RPC, or the client would
    // have failed above) and committed what it ingested.
    try (var index = LuceneCollections.at(data).open("notes", FakeEmbeddingModel.DEFAULT_INFO)) {
      assertThat(index.documentIds()).containsExactlyInAnyOrder("sourdough", "volcano");
    }
    assertThat(stderr.toString()).contains("this line must reach stderr");
  }
}
