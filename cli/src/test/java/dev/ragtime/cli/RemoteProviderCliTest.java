package dev.ragtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragtime.simulator.ProviderSimulator;
import dev.ragtime.simulator.SimulatorConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedding variables ({@code RAGTIME_EMBEDDING_*}) drive every command: ingest and search go
 * through a remote OpenAI-compatible provider (the simulator on 127.0.0.1), with failover to a
 * second endpoint serving the same model, and the API key never appears in any output.
 */
class RemoteProviderCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = "sk-test-do-not-print-0123456789";

  @TempDir Path tmp;
  private ProviderSimulator primary;
  private ProviderSimulator fallback;
  private Path docs;

  @BeforeEach
  void start() throws IOException {
    var config = SimulatorConfig.builder().model("sim-embed").dimension(32).build();
    primary = ProviderSimulator.start(config);
    fallback = ProviderSimulator.start(config);
    docs = Files.createDirectories(tmp.resolve("docs"));
    for (int i = 0; i < 30; i++) {
      Files.writeString(
          docs.resolve("doc" + i + ".md"),
          "# Note " + i + "\n\nThis note mentions the keyword marker" + i + " and little else.\n");
    }
  }

  @AfterEach
  void stop() {
    primary.close();
    fallback.close();
  }

  private Map<String, String> env() {
    var env = new HashMap<String, String>();
    env.put("RAGTIME_DATA", tmp.resolve("data").toString());
    env.put("RAGTIME_EMBEDDING_PROVIDER", "openai");
    env.put("RAGTIME_EMBEDDING_BASE_URL", primary.baseUri() + "/v1");
    env.put("RAGTIME_EMBEDDING_FALLBACK_URLS", fallback.baseUri().toString());
    env.put("RAGTIME_EMBEDDING_MODEL", "sim-embed");
    env.put("RAGTIME_EMBEDDING_API_KEY", KEY);
    env.put("RAGTIME_EMBEDDING_MAX_BATCH", "4");
    env.put("RAGTIME_EMBEDDING_TIMEOUT", "5s");
    return env;
  }

  /** Each of the 30 notes' chunk reached {@code sim} exactly once, and nothing else but a probe. */
  private static void assertEveryNoteEmbeddedOnce(ProviderSimulator sim) {
    Map<String, Long> counts = sim.counters().embeddedTextCounts();
    assertThat(counts.values()).as("times each text was embedded").containsOnly(1L);
    for (int i = 0; i < 30; i++) {
      String marker = "marker" + i + " ";
      assertThat(counts.keySet())
          .as("texts with %s", marker)
          .filteredOn(t -> t.contains(marker))
          .hasSize(1);
    }
    // Besides the notes, at most the one short text that probes the dimension.
    assertThat(counts).hasSizeBetween(30, 31);
  }

  private String[] run(Map<String, String> env, String... args) {
    var out = new StringWriter();
    var err = new StringWriter();
    int code = Main.run(args, env, new PrintWriter(out, true), new PrintWriter(err, true), false);
    assertThat(out.toString() + err).doesNotContain(KEY);
    return new String[] {Integer.toString(code), out.toString(), err.toString()};
  }

  @Test
  void ingestAndSearchGoThroughTheConfiguredProvider() throws IOException {
    String[] ingest = run(env(), "ingest", docs.toString(), "--json");
    assertThat(ingest[0]).as(ingest[2]).isEqualTo("0");
    JsonNode summary = JSON.readTree(ingest[1]);
    assertThat(summary.get("documents").asLong()).isEqualTo(30);
    assertThat(summary.get("failed").asLong()).isZero();
    // batches of at most 4 texts: at least 30/4 requests, and every text embedded once
    assertThat(summary.get("pipeline").get("requests").asLong()).isGreaterThanOrEqualTo(8);
    assertEveryNoteEmbeddedOnce(primary);

    String[] stats = run(env(), "stats", "--json");
    JsonNode c = JSON.readTree(stats[1]).get("collections").get(0);
    assertThat(c.get("model").asText()).isEqualTo("openai:sim-embed");
    assertThat(c.get("dimension").asInt()).isEqualTo(32);

    String[] search = run(env(), "search", "--json", "marker7");
    assertThat(search[0]).as(search[2]).isEqualTo("0");
    assertThat(JSON.readTree(search[1]).get("hits").get(0).get("docId").asText())
        .isEqualTo("doc7.md");
    String[] vector = run(env(), "search", "--json", "--mode", "vector", "anything");
    assertThat(JSON.readTree(vector[1]).get("hits")).hasSize(10);
  }

  @Test
  void ingestFailsOverToTheFallbackWhenThePrimaryIsDown() throws IOException {
    primary.setDown(true);
    String[] ingest = run(env(), "ingest", docs.toString(), "--json");
    assertThat(ingest[0]).as(ingest[2]).isEqualTo("0");
    JsonNode summary = JSON.readTree(ingest[1]);
    assertThat(summary.get("failed").asLong()).isZero();
    assertThat(summary.get("chunks").asLong()).isEqualTo(30);
    assertEveryNoteEmbeddedOnce(fallback);
    assertThat(primary.counters().inputsEmbedded()).isZero();
  }

  @Test
  void unreachableProviderFailsTheDocumentWithAReasonNamingTheEndpoint() throws IOException {
    var env = env();
    env.put("RAGTIME_EMBEDDING_BASE_URL", "http://127.0.0.1:1");
    env.put("RAGTIME_EMBEDDING_FALLBACK_URLS", "");
    env.put("RAGTIME_EMBEDDING_DIMENSIONS", "32");
    env.put("RAGTIME_EMBEDDING_MAX_ATTEMPTS", "2");
    env.put("RAGTIME_EMBEDDING_DEADLINE", "3s");
    String[] ingest = run(env, "ingest", docs.resolve("doc1.md").toString(), "--json");
    assertThat(ingest[0]).as(ingest[2]).isEqualTo("0");
    JsonNode summary = JSON.readTree(ingest[1]);
    assertThat(summary.get("failed").asLong()).isEqualTo(1);
    List<String> reasons = new ArrayList<>();
    summary.get("failures").forEach(f -> reasons.add(f.get("reason").asText()));
    assertThat(reasons).singleElement().asString().contains("127.0.0.1:1");
  }

  @Test
  void badEmbeddingSettingsAreReportedWithTheVariable() {
    var env = env();
    env.put("RAGTIME_EMBEDDING_PROVIDER", "openia");
    String[] r = run(env, "stats");
    assertThat(r[0]).isEqualTo("1");
    assertThat(r[2]).contains("openia").contains("local, openai, ollama, tei");
    env.put("RAGTIME_EMBEDDING_PROVIDER", "openai");
    env.put("RAGTIME_EMBEDDING_RPM", "lots");
    r = run(env, "stats");
    assertThat(r[0]).isEqualTo("1");
    assertThat(r[2]).contains("RAGTIME_EMBEDDING_RPM").contains("lots");
  }
}
