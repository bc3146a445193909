package dev.ragtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragtime.index.Index;
import dev.ragtime.index.LuceneCollections;
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
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI end to end for behaviours that a broken wiring would lose silently: {@code --filter}, the
 * persistent embedding cache across processes, and {@code --prune}. Each {@link #ragtime} call is a
 * fresh "process" (its own services, closed at the end) over the same data directory. Texts are
 * embedded by a remote provider, the in-process simulator, whose counters tell exactly which texts
 * were sent.
 */
class CliIntegrationTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private ProviderSimulator provider;
  private Path docs;

  @BeforeEach
  void start() throws IOException {
    provider =
        ProviderSimulator.start(SimulatorConfig.builder().model("sim-embed").dimension(32).build());
    docs = Files.createDirectories(tmp.resolve("docs"));
  }

  @AfterEach
  void stop() {
    provider.close();
  }

  private Map<String, String> env() {
    var env = new HashMap<String, String>();
    env.put("RAGTIME_DATA", tmp.resolve("data").toString());
    env.put("RAGTIME_EMBEDDING_PROVIDER", "openai");
    env.put("RAGTIME_EMBEDDING_BASE_URL", provider.baseUri() + "/v1");
    env.put("RAGTIME_EMBEDDING_MODEL", "sim-embed");
    // Known up front, so no process sends a dimension probe and the counters hold only real texts.
    env.put("RAGTIME_EMBEDDING_DIMENSIONS", "32");
    env.put("RAGTIME_EMBEDDING_MAX_BATCH", "8");
    return env;
  }

  private static Run ragtime(Map<String, String> env, String... args) {
    var out = new StringWriter();
    var err = new StringWriter();
    int code = Main.run(args, env, new PrintWriter(out, true), new PrintWriter(err, true), false);
    var run = new Run(code, out.toString(), err.toString());
    assertThat(run.code()).as("exit status of %s; stderr: %s", List.of(args), run.err()).isZero();
    return run;
  }

  private String source(String name) {
    return docs.toAbsolutePath().normalize().resolve(name).toString();
  }

  private void write(String name, String text) throws IOException {
    Files.writeString(docs.resolve(name), text);
  }

  /** The type of every hit of a JSON search result. */
  private static List<String> types(JsonNode result) {
    List<String> out = new ArrayList<>();
    result.get("hits").forEach(h -> out.add(h.get("metadata").get("type").asText()));
    return out;
  }

  private static Set<String> docIds(JsonNode result) {
    Set<String> ids = new TreeSet<>();
    result.get("hits").forEach(h -> ids.add(h.get("docId").asText()));
    return ids;
  }

  @Test
  void searchFilterKeepsOnlyMatchingChunksAndEveryFilterMustHold() throws IOException {
    write("lava.md", "# Lava\n\nBasalt lava flows cool into pumice and obsidian.\n");
    write("ash.md", "# Ash\n\nVolcanic ash and pumice fall far from the vent.\n");
    write("field-notes.txt", "Field notes: we collected pumice and basalt near the crater.\n");
    write("museum.html", "<html><body><p>The museum shows pumice from 1883.</p></body></html>");
    ragtime(env(), "ingest", docs.toString(), "--json");

    for (String mode : List.of("hybrid", "bm25", "vector")) {
      // The query matches documents of every type; unfiltered, more than one type comes back.
      JsonNode all = ragtime(env(), "search", "--json", "-m", mode, "pumice").json();
      assertThat(new TreeSet<>(types(all))).as(mode).contains("md", "txt", "html");

      JsonNode md =
          ragtime(env(), "search", "--json", "-m", mode, "--filter", "type=md", "pumice").json();
      assertThat(types(md)).as(mode).isNotEmpty().containsOnly("md");
      assertThat(docIds(md)).as(mode).containsExactly("ash.md", "lava.md");
    }

    JsonNode bySource =
        ragtime(
                env(),
                "search",
                "--json",
                "--filter",
                "source=" + source("field-notes.txt"),
                "pumice")
            .json();
    assertThat(docIds(bySource)).containsExactly("field-notes.txt");
    bySource
        .get("hits")
        .forEach(
            h ->
                assertThat(h.get("metadata").get("source").asText())
                    .isEqualTo(source("field-notes.txt")));

    // Two filters: both must hold. An md type and an md source keep that one document; an md type
    // and a txt source contradict each other and keep nothing.
    JsonNode both =
        ragtime(
                env(),
                "search",
                "--json",
                "--filter",
                "type=md",
                "--filter",
                "source=" + source("lava.md"),
                "pumice")
            .json();
    assertThat(docIds(both)).containsExactly("lava.md");
    JsonNode none =
        ragtime(
                env(),
                "search",
                "--json",
                "--filter",
                "type=md",
                "--filter",
                "source=" + source("field-notes.txt"),
                "pumice")
            .json();
    assertThat(none.get("hits")).isEmpty();
  }

  @Test
  void aSecondProcessEmbedsNothingTheFirstEmbeddedUnlessTheCacheIsNotPersistent()
      throws IOException {
    for (int i = 0; i < 12; i++) {
      write("note" + i + ".md", "# Note " + i + "\n\nA note about crater lake number " + i + ".\n");
    }
    // First process: every chunk text and the query are sent to the provider once.
    JsonNode first = ragtime(env(), "ingest", docs.toString(), "--json").json();
    assertThat(first.get("chunks").asLong()).isEqualTo(12);
    assertThat(provider.counters().inputsEmbedded()).isEqualTo(12);
    ragtime(env(), "search", "--json", "-m", "vector", "crater lake");
    assertThat(provider.counters().inputsEmbedded()).isEqualTo(13);
    long requests = provider.counters().requestsReceived();

    // Second process, same data directory: the same texts, into another collection so that none
    // is skipped as unchanged, and the same query. Nothing reaches the provider.
    JsonNode second =
        ragtime(env(), "ingest", docs.toString(), "--collection", "copy", "--json").json();
    assertThat(second.get("chunks").asLong()).isEqualTo(12);
    assertThat(second.get("pipeline").get("cacheHits").asLong()).isEqualTo(12);
    ragtime(env(), "search", "--json", "-m", "vector", "--collection", "copy", "crater lake");
    assertThat(provider.counters().inputsEmbedded()).isEqualTo(13);
    assertThat(provider.counters().requestsReceived()).isEqualTo(requests);

    // With the persistent cache switched off, a third process embeds every text again.
    var volatileCache = env();
    volatileCache.put("RAGTIME_EMBEDDING_CACHE_PERSISTENT", "false");
    JsonNode third =
        ragtime(volatileCache, "ingest", docs.toString(), "--collection", "third", "--json").json();
    assertThat(third.get("chunks").asLong()).isEqualTo(12);
    assertThat(provider.counters().inputsEmbedded()).isEqualTo(13 + 12);
    // ... the same texts again, not others.
    assertThat(provider.counters().distinctTextsEmbedded()).isEqualTo(13);
  }

  @Test
  void pruneThroughTheCliRemovesExactlyTheVanishedDocuments() throws IOException {
    for (int i = 0; i < 6; i++) {
      write("page" + i + ".md", "# Page " + i + "\n\nGeysers erupt on schedule " + i + ".\n");
    }
    ragtime(env(), "ingest", docs.toString(), "--json");
    Files.delete(docs.resolve("page1.md"));
    Files.delete(docs.resolve("page4.md"));

    // Without --prune, vanished documents stay.
    JsonNode kept = ragtime(env(), "ingest", docs.toString(), "--json").json();
    assertThat(kept.get("pruned").asLong()).isZero();
    assertThat(documentIds())
        .containsExactlyInAnyOrder(
            "page0.md", "page1.md", "page2.md", "page3.md", "page4.md", "page5.md");

    JsonNode pruned = ragtime(env(), "ingest", docs.toString(), "--prune", "--json").json();
    assertThat(pruned.get("pruned").asLong()).isEqualTo(2);
    assertThat(pruned.get("unchanged").asLong()).isEqualTo(4);
    assertThat(documentIds())
        .containsExactlyInAnyOrder("page0.md", "page2.md", "page3.md", "page5.md");
    JsonNode stats = ragtime(env(), "stats", "--json").json();
    assertThat(stats.get("collections").get(0).get("documents").asLong()).isEqualTo(4);
  }

  @Test
  void aTruncatedGzipCorpusFailsWithAClearReasonAndKeepsWhatWasCommitted() throws IOException {
    var bytes = new java.io.ByteArrayOutputStream();
    try (var w =
        new java.io.OutputStreamWriter(
            new java.util.zip.GZIPOutputStream(bytes), java.nio.charset.StandardCharsets.UTF_8)) {
      var random = new java.util.Random(12);
      for (int i = 0; i < 1_200; i++) {
        w.write("{\"_id\":\"r" + i + "\",\"title\":\"\",\"text\":\"record " + i);
        for (int word = 0; word < 10; word++) {
          w.write(" w" + Integer.toString(random.nextInt(1 << 20), 36));
        }
        w.write("\"}\n");
      }
    }
    byte[] whole = bytes.toByteArray();
    Path good = tmp.resolve("good.jsonl.gz");
    Files.write(good, whole);
    Path truncated = tmp.resolve("corpus.jsonl.gz");
    Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length / 2));

    var env = env();
    env.put("RAGTIME_INGEST_COMMIT_DOCUMENTS", "50");
    var out = new StringWriter();
    var err = new StringWriter();
    int code =
        Main.run(
            new String[] {"ingest", truncated.toString(), "--json"},
            env,
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            false);
    assertThat(code).isEqualTo(1);
    assertThat(err.toString())
        .startsWith("ragtime: ")
        .contains("corpus.jsonl.gz")
        .contains("damaged or truncated");

    // What the failed run committed is whole: the complete corpus skips exactly those records.
    long committed = documentIds().size();
    JsonNode again = ragtime(env(), "ingest", good.toString(), "--json").json();
    assertThat(again.get("unchanged").asLong()).isEqualTo(committed);
    assertThat(again.get("failed").asLong()).isZero();
    assertThat(documentIds()).hasSize(1_200);
  }

  private Set<String> documentIds() {
    try (Index index = LuceneCollections.at(tmp.resolve("data")).openExisting("default")) {
      return index.documentIds();
    }
  }
}
