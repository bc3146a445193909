package dev.ragtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragtime.postgres.PgTestDatabase;
import dev.ragtime.simulator.ProviderSimulator;
import dev.ragtime.simulator.SimulatorConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI on a PostgreSQL store ({@code RAGTIME_STORE}), as a user runs it: ingest, search in every
 * mode with filters, stats, delete, re-ingest, and other processes with other data directories that
 * see the same collections because nothing but the database holds state. Each {@link #ragtime} call
 * is a fresh instance (its own services and connection pool, closed at the end); one test also runs
 * a real child JVM. Texts are embedded by the in-process simulator, whose counters say exactly what
 * reached the provider.
 */
class StoreCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private PgTestDatabase database;
  private ProviderSimulator provider;
  private Path docs;

  @BeforeEach
  void start() throws IOException {
    database = PgTestDatabase.create(); // skips the test without a PostgreSQL server
    provider =
        ProviderSimulator.start(SimulatorConfig.builder().model("sim-embed").dimension(32).build());
    docs = Files.createDirectories(tmp.resolve("docs"));
  }

  @AfterEach
  void stop() {
    if (provider != null) {
      provider.close();
    }
    if (database != null) {
      database.close();
    }
  }

  /** The environment of a user whose data directory is {@code <tmp>/<dataDir>}. */
  private Map<String, String> env(String dataDir) {
    var env = new HashMap<String, String>();
    env.put("RAGTIME_DATA", tmp.resolve(dataDir).toString());
    env.put("RAGTIME_STORE", database.storeUrl());
    env.put("RAGTIME_EMBEDDING_PROVIDER", "openai");
    env.put("RAGTIME_EMBEDDING_BASE_URL", provider.baseUri() + "/v1");
    env.put("RAGTIME_EMBEDDING_MODEL", "sim-embed");
    // Known up front, so no instance sends a dimension probe and the counters hold only texts.
    env.put("RAGTIME_EMBEDDING_DIMENSIONS", "32");
    env.put("RAGTIME_EMBEDDING_MAX_BATCH", "8");
    return env;
  }

  private static Run run(Map<String, String> env, String... args) {
    var out = new StringWriter();
    var err = new StringWriter();
    int code = Main.run(args, env, new PrintWriter(out, true), new PrintWriter(err, true), false);
    return new Run(code, out.toString(), err.toString());
  }

  private static Run ragtime(Map<String, String> env, String... args) {
    Run run = run(env, args);
    assertThat(run.code()).as("exit status of %s; stderr: %s", List.of(args), run.err()).isZero();
    return run;
  }

  private void write(String name, String text) throws IOException {
    Files.writeString(docs.resolve(name), text);
  }

  private void writeVolcanoes() throws IOException {
    write("lava.md", "# Lava\n\nBasalt lava flows cool into pumice and obsidian.\n");
    write("ash.md", "# Ash\n\nVolcanic ash and pumice fall far from the vent.\n");
    write("field-notes.txt", "Field notes: we collected pumice and basalt near the crater.\n");
  }

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

  private static JsonNode collection(JsonNode stats, String name) {
    for (JsonNode c : stats.get("collections")) {
      if (c.get("name").asText().equals(name)) {
        return c;
      }
    }
    throw new AssertionError("no collection '" + name + "' in " + stats);
  }

  @Test
  void ingestSearchInEveryModeWithFiltersStatsAndDeleteWorkOnTheStore() throws IOException {
    writeVolcanoes();
    var env = env("data");
    JsonNode ingested = ragtime(env, "ingest", docs.toString(), "--json").json();
    assertThat(ingested.get("documents").asLong()).isEqualTo(3);
    assertThat(ingested.get("failed").asLong()).isZero();

    for (String mode : List.of("bm25", "vector", "hybrid")) {
      JsonNode all = ragtime(env, "search", "--json", "-m", mode, "pumice").json();
      assertThat(new TreeSet<>(types(all))).as(mode).containsExactly("md", "txt");
      JsonNode md =
          ragtime(env, "search", "--json", "-m", mode, "--filter", "type=md", "pumice").json();
      assertThat(types(md)).as(mode).isNotEmpty().containsOnly("md");
      assertThat(docIds(md)).as(mode).containsExactly("ash.md", "lava.md");
    }

    JsonNode stats = ragtime(env, "stats", "--json").json();
    assertThat(stats.get("store").asText())
        .startsWith("jdbc:postgresql://")
        .endsWith(database.name());
    JsonNode defaults = collection(stats, "default");
    assertThat(defaults.get("documents").asLong()).isEqualTo(3);
    assertThat(defaults.get("chunks").asLong()).isEqualTo(3);
    assertThat(defaults.get("model").asText()).isEqualTo("openai:sim-embed");
    assertThat(defaults.get("dimension").asInt()).isEqualTo(32);

    JsonNode deleted = ragtime(env, "delete", "lava.md", "--json").json();
    assertThat(deleted.get("deleted")).extracting(JsonNode::asText).containsExactly("lava.md");
    for (String mode : List.of("bm25", "vector", "hybrid")) {
      JsonNode after = ragtime(env, "search", "--json", "-m", mode, "pumice").json();
      assertThat(docIds(after)).as(mode).containsExactly("ash.md", "field-notes.txt");
    }
    assertThat(
            collection(ragtime(env, "stats", "--json").json(), "default").get("documents").asLong())
        .isEqualTo(2);
    Run missing = run(env, "delete", "lava.md");
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).contains("not found in collection 'default': lava.md");

    // Nothing of it is in the data directory: no collection folder, no embedding cache.
    Path data = tmp.resolve("data");
    assertThat(data.resolve("collections")).doesNotExist();
    assertThat(data.resolve("embedding-cache")).doesNotExist();
  }

  @Test
  void reIngestingUnchangedFilesEmbedsNothingAndTheCacheIsSharedAcrossDataDirectories()
      throws IOException {
    for (int i = 0; i < 10; i++) {
      write("note" + i + ".md", "# Note " + i + "\n\nA note about crater lake number " + i + ".\n");
    }
    JsonNode first = ragtime(env("a"), "ingest", docs.toString(), "--json").json();
    assertThat(first.get("chunks").asLong()).isEqualTo(10);
    assertThat(provider.counters().inputsEmbedded()).isEqualTo(10);
    long requests = provider.counters().requestsReceived();

    // The same files again, from another data directory: the content hashes in the database say
    // they are unchanged, so nothing is chunked, embedded or written.
    JsonNode again = ragtime(env("b"), "ingest", docs.toString(), "--json").json();
    assertThat(again.get("unchanged").asLong()).isEqualTo(10);
    assertThat(again.get("embedded").asLong()).isZero();

    // The same texts into another collection, from a third data directory: every vector comes from
    // the embedding cache in the database; the provider hears nothing.
    JsonNode copy =
        ragtime(env("c"), "ingest", docs.toString(), "--collection", "copy", "--json").json();
    assertThat(copy.get("chunks").asLong()).isEqualTo(10);
    assertThat(copy.get("pipeline").get("cacheHits").asLong()).isEqualTo(10);
    assertThat(provider.counters().inputsEmbedded()).isEqualTo(10);
    assertThat(provider.counters().requestsReceived()).isEqualTo(requests);

    JsonNode found =
        ragtime(env("d"), "search", "--json", "-m", "vector", "-c", "copy", "crater lake number 7")
            .json();
    assertThat(docIds(found)).contains("note7.md");
  }

  @Test
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void aSecondProcessWithAnotherDataDirectorySeesAndChangesTheSameCollections() throws Exception {
    writeVolcanoes();
    ragtime(env("first"), "ingest", docs.toString(), "-c", "volcanoes", "--json");

    // A real second process, with a data directory of its own that has never been written to.
    Run stats = child(env("second"), "stats", "--json");
    assertThat(collection(stats.json(), "volcanoes").get("documents").asLong()).isEqualTo(3);
    Run search =
        child(env("second"), "search", "--json", "-c", "volcanoes", "-m", "hybrid", "obsidian");
    assertThat(docIds(search.json())).contains("lava.md");
    Run deleted = child(env("second"), "delete", "-c", "volcanoes", "lava.md", "--json");
    assertThat(deleted.json().get("deleted"))
        .extracting(JsonNode::asText)
        .containsExactly("lava.md");
    assertThat(tmp.resolve("second").resolve("collections")).doesNotExist();

    // The first data directory's user sees the other process's change.
    JsonNode bm25 =
        ragtime(env("first"), "search", "--json", "-c", "volcanoes", "-m", "bm25", "obsidian")
            .json();
    assertThat(docIds(bm25)).doesNotContain("lava.md");
    assertThat(
            collection(ragtime(env("first"), "stats", "--json").json(), "volcanoes")
                .get("documents")
                .asLong())
        .isEqualTo(2);
  }

  @Test
  void aModelMismatchSaysHowToReIndexInTheDatabaseNotInAFolder() throws IOException {
    writeVolcanoes();
    ragtime(env("data"), "ingest", docs.toString(), "--json");

    var other = env("data");
    other.put("RAGTIME_EMBEDDING_MODEL", "sim-embed-v2");
    for (String[] args :
        List.of(
            new String[] {"ingest", docs.toString()},
            new String[] {"search", "-m", "vector", "pumice"})) {
      Run refused = run(other, args);
      assertThat(refused.code()).as(refused.err()).isEqualTo(1);
      assertThat(refused.err())
          .as(List.of(args).toString())
          .contains("collection 'default' was built with")
          .contains("sim-embed-v2")
          .contains("DELETE /v1/collections/default")
          .doesNotContain("folder");
    }
    // BM25 needs no vectors, so the other model's user can still search lexically.
    assertThat(docIds(ragtime(other, "search", "--json", "-m", "bm25", "obsidian").json()))
        .containsExactly("lava.md");
  }

  /** {@code ragtime ARGS} in a child JVM with exactly {@code env} (plus PATH); must exit 0. */
  private Run child(Map<String, String> env, String... args) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    var command = new ArrayList<String>();
    command.add(java);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.addAll(List.of(args));
    var pb = new ProcessBuilder(command);
    pb.environment().keySet().removeIf(k -> k.startsWith("RAGTIME_"));
    pb.environment().putAll(env);
    Path out = Files.createTempFile(tmp, "child", ".out");
    Path err = Files.createTempFile(tmp, "child", ".err");
    pb.redirectOutput(out.toFile());
    pb.redirectError(err.toFile());
    Process p = pb.start();
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("ragtime " + List.of(args) + " did not finish in 2 minutes");
    }
    var run =
        new Run(
            p.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
    assertThat(run.code()).as("exit status of %s; stderr: %s", List.of(args), run.err()).isZero();
    return run;
  }
}
