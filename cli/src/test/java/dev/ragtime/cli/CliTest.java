package dev.ragtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragtime.embed.ModelInfo;
import dev.ragtime.index.Index;
import dev.ragtime.index.LuceneCollections;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI end to end, in-process, with the real local model and a real on-disk index: each call
 * builds the services afresh, so every step also checks that state survives a restart.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path tmp;
  static Path docs;
  static Path data;

  static Run ragtime(String... args) {
    var out = new StringWriter();
    var err = new StringWriter();
    var all = new ArrayList<String>(List.of("--data", data.toString()));
    all.addAll(List.of(args));
    int code =
        Main.run(
            all.toArray(String[]::new),
            Map.of("RAGTIME_NATIVE_DIR", Path.of("target", "native").toAbsolutePath().toString()),
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            false);
    return new Run(code, out.toString(), err.toString());
  }

  @BeforeAll
  static void corpus() throws IOException {
    docs = Files.createDirectories(tmp.resolve("docs"));
    data = tmp.resolve("data");
    Files.writeString(
        docs.resolve("volcanoes.md"),
        """
        # Volcanoes

        Magma forms deep below the crust where rock melts. When pressure builds, it rises through
        vents and erupts as lava, ash and volcanic gases.

        ## Monitoring

        Seismometers and gas sensors warn of eruptions days in advance.
        """);
    Files.writeString(
        docs.resolve("sourdough.txt"),
        "Sourdough bread rises because a starter culture of wild yeast ferments the dough. Let"
            + " the dough proof slowly overnight, then bake it in a very hot Dutch oven.");
    Files.createDirectories(docs.resolve("games"));
    Files.writeString(
        docs.resolve("games/chess.html"),
        "<html><head><title>Chess openings</title><script>var x='zebra';</script></head><body>"
            + "<h1>Chess openings</h1><p>The Sicilian Defence answers 1.e4 with 1...c5.</p>"
            + "</body></html>");
    Files.write(
        docs.resolve("broken.pdf"),
        "%PDF-1.7 not a pdf \0\1".getBytes(StandardCharsets.ISO_8859_1));
    Files.write(docs.resolve("binary.txt"), new byte[] {0, 1, 2, 3, 0, 0, 5});
    Files.writeString(docs.resolve("empty.md"), "   \n");
    Files.writeString(docs.resolve("notes.xyz"), "unsupported");
  }

  @Test
  @Order(1)
  void ingestReportsDocumentsFailuresAndSkippedFiles() {
    Run r = ragtime("ingest", docs.toString(), "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode j = r.json();
    assertThat(j.get("documents").asLong()).isEqualTo(6);
    assertThat(j.get("failed").asLong()).isEqualTo(3);
    assertThat(j.get("chunks").asLong()).isGreaterThanOrEqualTo(3);
    assertThat(j.get("embedded").asLong()).isEqualTo(j.get("chunks").asLong());
    var failed = new ArrayList<String>();
    j.get("failures")
        .forEach(
            f -> {
              failed.add(Path.of(f.get("path").asText()).getFileName().toString());
              assertThat(f.get("reason").asText()).isNotBlank();
            });
    assertThat(failed).containsExactlyInAnyOrder("broken.pdf", "binary.txt", "empty.md");
    assertThat(j.get("skipped").get(0).get("reason").asText()).contains(".xyz");
  }

  @Test
  @Order(2)
  void searchFindsTheRightDocumentInEveryMode() {
    for (String mode : List.of("hybrid", "bm25", "vector")) {
      Run r = ragtime("search", "--json", "--mode", mode, "lava erupting from a volcano");
      assertThat(r.code()).as(r.err()).isZero();
      JsonNode hit = r.json().get("hits").get(0);
      assertThat(hit.get("docId").asText()).as(mode).isEqualTo("volcanoes.md");
      assertThat(hit.get("metadata").get("type").asText()).isEqualTo("md");
      assertThat(r.json().get("tookMs").asDouble()).isGreaterThanOrEqualTo(0);
    }
    Run bread = ragtime("search", "--json", "how", "do", "I", "make", "bread", "rise");
    assertThat(bread.json().get("hits").get(0).get("docId").asText()).isEqualTo("sourdough.txt");
    assertThat(bread.out()).doesNotContain("zebra");
  }

  @Test
  @Order(3)
  void filtersAndKLimitHits() {
    Run r = ragtime("search", "--json", "-k", "1", "--filter", "type=html", "openings");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode hits = r.json().get("hits");
    assertThat(hits).hasSize(1);
    assertThat(hits.get(0).get("docId").asText()).isEqualTo("games/chess.html");
  }

  @Test
  @Order(4)
  void reingestOfUnchangedDocumentsEmbedsNothing() {
    Run r = ragtime("ingest", docs.toString(), "--json");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.json().get("unchanged").asLong()).isEqualTo(3);
    assertThat(r.json().get("embedded").asLong()).isZero();
  }

  @Test
  @Order(5)
  void statsListsTheCollectionAndItsModel() {
    Run r = ragtime("stats", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode c = r.json().get("collections").get(0);
    assertThat(c.get("name").asText()).isEqualTo("default");
    assertThat(c.get("documents").asLong()).isEqualTo(3);
    assertThat(c.get("model").asText()).isEqualTo("sentence-transformers/all-MiniLM-L6-v2");
    assertThat(c.get("dimension").asInt()).isEqualTo(384);
    assertThat(c.get("variant").asText()).isEmpty();
  }

  @Test
  @Order(6)
  void deleteRemovesADocumentAndFailsForUnknownIds() {
    Run r = ragtime("delete", "volcanoes.md");
    assertThat(r.code()).as(r.err()).isZero();
    Run after = ragtime("search", "--json", "--mode", "bm25", "lava volcano");
    after
        .json()
        .get("hits")
        .forEach(h -> assertThat(h.get("docId").asText()).isNotEqualTo("volcanoes.md"));

    Run missing = ragtime("delete", "no-such-doc.md");
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err().strip()).startsWith("ragtime: not found").contains("no-such-doc.md");
  }

  @Test
  @Order(7)
  void searchingAMissingCollectionFailsWithOneLine() {
    Run r = ragtime("search", "--collection", "nope", "anything");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip().lines()).hasSize(1);
    assertThat(r.err()).contains("nope");
  }

  @Test
  @Order(8)
  void usageErrorsExitWithTwo() {
    assertThat(ragtime("search").code()).isEqualTo(2);
    Run bad = ragtime("search", "--mode", "fuzzy", "x");
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.err()).contains("fuzzy").contains("bm25, vector, hybrid");
    assertThat(ragtime("frobnicate").code()).isEqualTo(2);
  }

  @Test
  @Order(9)
  void aMistypedPathFailsBeforeAnythingIsCreated() {
    Run r = ragtime("ingest", "--collection", "typo", docs.resolve("nope").toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("no such file or directory").contains("nope");
    assertThat(data.resolve("collections").resolve("typo")).doesNotExist();
  }

  @Test
  @Order(9)
  void everyCommandHasHelp() {
    for (String cmd : List.of("ingest", "search", "delete", "stats")) {
      Run r = ragtime(cmd, "--help");
      assertThat(r.code()).isZero();
      assertThat(r.out()).contains("Usage: ragtime " + cmd);
    }
  }

  @Test
  @Order(10)
  void jsonlCorpusIsIngestedAndMalformedLinesAreReportedByLine() throws IOException {
    Path corpus = tmp.resolve("corpus.jsonl");
    Files.writeString(
        corpus,
        """
        {"_id":"a1","title":"Aspirin","text":"Aspirin lowers the risk of heart attack."}
        {"_id":"a2","title":"Vitamin D","text":"Vitamin D deficiency is common in winter."}
        {"_id":"a3","title":
        """);
    Run r = ragtime("ingest", "--collection", "beir", corpus.toString(), "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode j = r.json();
    assertThat(j.get("documents").asLong()).isEqualTo(3);
    assertThat(j.get("failed").asLong()).isEqualTo(1);
    assertThat(j.get("failures").get(0).get("path").asText()).endsWith("corpus.jsonl:3");
    Run s = ragtime("search", "--collection", "beir", "--json", "winter vitamin");
    assertThat(s.json().get("hits").get(0).get("docId").asText()).isEqualTo("a2");
  }

  @Test
  @Order(11)
  void aCollectionBuiltByAnotherModelIsRefused() {
    var other = new ModelInfo("someone/else", 8, 128);
    try (Index i = LuceneCollections.at(data).open("foreign", other)) {
      assertThat(i.model()).isEqualTo(other);
    }
    Path one = docs.resolve("sourdough.txt");
    Run r = ragtime("ingest", "--collection", "foreign", one.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("foreign").contains("someone/else");
  }
}
