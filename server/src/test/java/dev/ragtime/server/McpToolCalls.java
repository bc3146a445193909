package dev.ragtime.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.util.Map;

/**
 * Calls every Ragtime MCP tool through an SDK client and checks the results; the same checks for
 * every transport.
 */
final class McpToolCalls {
  private McpToolCalls() {}

  static JsonNode json(CallToolResult r) {
    assertThat(r.content()).isNotEmpty();
    String text = ((McpSchema.TextContent) r.content().get(0)).text();
    try {
      return TestServer.JSON.readTree(text);
    } catch (java.io.IOException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  static String text(CallToolResult r) {
    return ((McpSchema.TextContent) r.content().get(0)).text();
  }

  static CallToolResult call(McpSyncClient client, String tool, Map<String, Object> args) {
    return client.callTool(McpSchema.CallToolRequest.builder(tool).arguments(args).build());
  }

  /** Lists the tools, ingests two documents, lists, gets, searches, and checks refusals. */
  static void exercise(McpSyncClient client) {
    var tools = client.listTools().tools();
    assertThat(tools)
        .extracting(McpSchema.Tool::name)
        .containsExactlyInAnyOrder("search", "ingest_text", "list_collections", "get_document");
    for (McpSchema.Tool t : tools) {
      assertThat(t.description()).as(t.name()).hasSizeGreaterThan(40);
      assertThat(t.inputSchema()).as(t.name()).containsEntry("type", "object");
    }
    var search = tools.stream().filter(t -> t.name().equals("search")).findFirst().orElseThrow();
    assertThat(search.inputSchema().get("required"))
        .isEqualTo(java.util.List.of("collection", "query"));
    assertThat(
            new java.util.ArrayList<Object>(
                ((Map<?, ?>) search.inputSchema().get("properties")).keySet()))
        .contains("k", "mode", "filter");

    CallToolResult ingested =
        call(
            client,
            "ingest_text",
            Map.of(
                "collection", "notes",
                "id", "sourdough",
                "text", "Sourdough rises because wild yeast ferments the dough overnight.",
                "metadata", Map.of("lang", "en")));
    assertThat(ingested.isError()).as(text(ingested)).isNotEqualTo(Boolean.TRUE);
    assertThat(json(ingested).get("state").asText()).isEqualTo("succeeded");
    assertThat(json(ingested).get("embedded").asLong()).isEqualTo(1);
    CallToolResult second =
        call(
            client,
            "ingest_text",
            Map.of(
                "collection", "notes",
                "id", "volcano",
                "text", "Lava erupts from the volcano vent as magma reaches the surface."));
    assertThat(json(second).get("state").asText()).isEqualTo("succeeded");

    JsonNode listed = json(call(client, "list_collections", Map.of()));
    assertThat(listed.get("collections")).hasSize(1);
    assertThat(listed.get("collections").get(0).get("name").asText()).isEqualTo("notes");
    assertThat(listed.get("collections").get(0).get("documents").asLong()).isEqualTo(2);

    JsonNode doc =
        json(call(client, "get_document", Map.of("collection", "notes", "id", "sourdough")));
    assertThat(doc.get("id").asText()).isEqualTo("sourdough");
    assertThat(doc.get("contentHash").asText()).isNotBlank();
    assertThat(doc.get("metadata").get("lang").asText()).isEqualTo("en");
    assertThat(doc.get("chunks")).hasSize(1);
    assertThat(doc.get("chunks").get(0).get("position").asInt()).isZero();
    assertThat(doc.get("chunks").get(0).get("text").asText())
        .isEqualTo("Sourdough rises because wild yeast ferments the dough overnight.");

    CallToolResult found =
        call(
            client,
            "search",
            Map.of("collection", "notes", "query", "wild yeast dough", "k", 5, "mode", "bm25"));
    JsonNode hits = json(found).get("hits");
    assertThat(hits.get(0).get("docId").asText()).isEqualTo("sourdough");
    assertThat(hits.get(0).get("metadata").get("lang").asText()).isEqualTo("en");
    assertThat(found.structuredContent()).isNotNull();
    JsonNode filtered =
        json(
            call(
                client,
                "search",
                Map.of(
                    "collection",
                    "notes",
                    "query",
                    "lava magma yeast",
                    "filter",
                    Map.of("lang", "en"))));
    assertThat(filtered.get("hits")).allMatch(h -> h.get("docId").asText().equals("sourdough"));

    CallToolResult missing =
        call(client, "search", Map.of("collection", "nowhere", "query", "anything"));
    assertThat(missing.isError()).isTrue();
    assertThat(text(missing)).contains("nowhere");
    CallToolResult noDoc =
        call(client, "get_document", Map.of("collection", "notes", "id", "absent"));
    assertThat(noDoc.isError()).isTrue();
    assertThat(text(noDoc)).contains("absent");
    CallToolResult badK =
        call(client, "search", Map.of("collection", "notes", "query", "x", "k", 0));
    assertThat(badK.isError()).isTrue();
  }
}
