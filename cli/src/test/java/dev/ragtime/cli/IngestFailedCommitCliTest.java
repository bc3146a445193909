package dev.ragtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragtime.index.IndexStats;
import dev.ragtime.index.LuceneCollections;
import dev.ragtime.simulator.ProviderSimulator;
import dev.ragtime.simulator.SimulatorConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ragtime ingest --json} counts a document done only after its commit: when a commit fails
 * mid-run, the summary it still prints agrees with what a reader of the collection sees.
 */
class IngestFailedCommitCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void afterAFailingCommitTheJsonSummaryAgreesWithTheIndex() throws IOException {
    // The failing commit: one record whose title is longer than the longest term Lucene takes
    // (titles are kept as exact-match metadata). The index refuses the whole commit it is in, and
    // the ingestor treats a refused commit as a broken index: the run stops. (Should a rejected
    // document one day fail alone, this test needs another way to make a commit fail.)
    Path corpus = tmp.resolve("corpus.jsonl");
    var lines = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      String title = i == 30 ? "x".repeat(40_000) : "Spring " + i;
      lines
          .append("{\"_id\":\"s")
          .append(i)
          .append("\",\"title\":\"")
          .append(title)
          .append("\",\"text\":\"Hot spring number ")
          .append(i)
          .append(" is warm.\"}\n");
    }
    Files.writeString(corpus, lines);

    try (ProviderSimulator provider =
        ProviderSimulator.start(
            SimulatorConfig.builder().model("sim-embed").dimension(16).build())) {
      var env = new HashMap<String, String>();
      env.put("RAGTIME_DATA", tmp.resolve("data").toString());
      env.put("RAGTIME_EMBEDDING_PROVIDER", "openai");
      env.put("RAGTIME_EMBEDDING_BASE_URL", provider.baseUri() + "/v1");
      env.put("RAGTIME_EMBEDDING_MODEL", "sim-embed");
      env.put("RAGTIME_EMBEDDING_DIMENSIONS", "16");
      env.put("RAGTIME_INGEST_COMMIT_DOCUMENTS", "2");
      env.put("RAGTIME_INGEST_DOCUMENTS_IN_FLIGHT", "4");

      var out = new StringWriter();
      var err = new StringWriter();
      int code =
          Main.run(
              new String[] {"ingest", corpus.toString(), "--json"},
              env,
              new PrintWriter(out, true),
              new PrintWriter(err, true),
              false);

      assertThat(code).as(err.toString()).isEqualTo(1);
      assertThat(err.toString()).contains("writing the index failed").contains("'title'");
      JsonNode summary = JSON.readTree(out.toString());
      assertThat(summary.get("error").asText()).contains("writing the index failed");

      IndexStats committed = LuceneCollections.at(tmp.resolve("data")).stats("default");
      assertThat(committed.documents()).as("commits before the failing one").isPositive();
      assertThat(summary.get("chunks").asLong()).isEqualTo(committed.chunks());
      long written =
          summary.get("documents").asLong()
              - summary.get("unchanged").asLong()
              - summary.get("failed").asLong();
      assertThat(written).as("documents reported written").isEqualTo(committed.documents());
      assertThat(summary.get("failures")).hasSize(summary.get("failed").asInt());
    }
  }
}
