package dev.ragtime.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.ragtime.embed.ModelInfo;
import dev.ragtime.index.CollectionNotFoundException;
import dev.ragtime.index.DocumentWrite;
import dev.ragtime.index.Hit;
import dev.ragtime.index.Index;
import dev.ragtime.index.IndexSnapshot;
import dev.ragtime.index.IndexStats;
import dev.ragtime.index.IndexedChunk;
import dev.ragtime.index.ModelMismatchException;
import dev.ragtime.testing.FakeEmbeddingModel;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the PostgreSQL store does beyond the index contract: filtered kNN, nodes, catalog. */
class PgStoreTest {
  private static final ModelInfo MODEL = FakeEmbeddingModel.DEFAULT_INFO;

  private final FakeEmbeddingModel embedder = new FakeEmbeddingModel(MODEL);
  private PgTestDatabase testDatabase;
  private PgDatabase database;
  private PgCollections collections;

  @BeforeEach
  void start() {
    testDatabase = PgTestDatabase.create();
    database = PgDatabase.open(testDatabase.settings());
    collections = PgCollections.on(database);
  }

  @AfterEach
  void stop() {
    if (database != null) {
      database.close();
    }
    if (testDatabase != null) {
      testDatabase.close();
    }
  }

  private DocumentWrite doc(String id, Map<String, String> metadata, String... texts) {
    List<IndexedChunk> chunks = new ArrayList<>();
    for (int i = 0; i < texts.length; i++) {
      chunks.add(
          new IndexedChunk(id + "#" + i, i, texts[i], embedder.vectorOf(texts[i]), metadata));
    }
    return new DocumentWrite(id, "h-" + id, chunks);
  }

  @Test
  void aFilteredVectorSearchThroughTheHnswIndexStillReturnsKHits() throws SQLException {
    // The planner would rather scan a small table exactly; make it take the HNSW index, which
    // alone could return fewer than k rows (the ef_search nearest, then filtered).
    try (Connection c = database.connection();
        Statement s = c.createStatement()) {
      s.execute("ALTER DATABASE " + testDatabase.name() + " SET enable_seqscan = off");
      s.execute("ALTER DATABASE " + testDatabase.name() + " SET enable_bitmapscan = off");
    }
    database.close();
    database = PgDatabase.open(testDatabase.settings());
    collections = PgCollections.on(database);
    Index index = collections.open("filtered", MODEL);
    List<DocumentWrite> docs = new ArrayList<>();
    for (int i = 0; i < 1500; i++) {
      docs.add(doc("common" + i, Map.of("team", "big"), "shared common words number " + i));
    }
    for (int i = 0; i < 6; i++) {
      docs.add(doc("rare" + i, Map.of("team", "rare"), "zebra giraffe lion savanna " + i));
    }
    index.write(docs);
    float[] query = embedder.vectorOf("shared common words");

    try (IndexSnapshot s = index.snapshot()) {
      List<String> plan = ((PgSnapshot) s).vectorPlan(query, Map.of("team", "rare"), 5);
      List<Hit> hits = s.vector(query, Map.of("team", "rare"), 5);

      assertThat(String.join("\n", plan)).contains(PgCollections.hnswIndexName(1));
      assertThat(hits).hasSize(5).allSatisfy(h -> assertThat(h.docId()).startsWith("rare"));
      assertThat(hits).extracting(Hit::score).isSortedAccordingTo((a, b) -> Float.compare(b, a));
      assertThat(s.vector(query, Map.of(), 5))
          .allSatisfy(h -> assertThat(h.docId()).startsWith("common"));
    }
    index.close();
  }

  @Test
  void lexicalScoresAreBm25WithCollectionStatistics() {
    Index index = collections.open("bm25", MODEL);
    List<DocumentWrite> docs = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      docs.add(doc("c" + i, Map.of(), "plain common words " + i));
    }
    docs.add(doc("rare", Map.of(), "a singular zebra"));
    docs.add(doc("both", Map.of(), "common zebra"));
    index.write(docs);

    try (IndexSnapshot s = index.snapshot()) {
      List<Hit> hits = s.lexical("common zebra", Map.of(), 30);

      // 22 chunks, "common" in 21 of them, "zebra" in 2: idf = ln(1 + (N − df + 0.5)/(df + 0.5)).
      double idfCommon = Math.log(1 + (22 - 21 + 0.5) / (21 + 0.5));
      double idfZebra = Math.log(1 + (22 - 2 + 0.5) / (2 + 0.5));
      assertThat(hits).extracting(Hit::docId).startsWith("both", "rare").hasSize(22);
      // "both" has 2 words; the average is (20 · 4 + 2 + 2) / 22 (numbers count, the stop word
      // "a" does not).
      double avg = (20 * 4 + 2 + 2) / 22.0;
      double norm = 1.2 * (1 - 0.75 + 0.75 * 2 / avg);
      assertThat((double) hits.get(0).score())
          .isCloseTo((idfCommon + idfZebra) / (1 + norm), within(1e-4));
    }
    index.close();
  }

  @Test
  void theModelIsRecordedPerCollectionAndEnforced() {
    collections.open("a", MODEL).close();
    ModelInfo other = FakeEmbeddingModel.create("other/model", 32).info();
    collections.open("b", other).close();

    assertThat(collections.recordedModel("a")).contains(MODEL);
    assertThat(collections.recordedModel("b")).contains(other);
    assertThat(collections.recordedModel("missing")).isEmpty();
    // The remedy is the database's: drop through the service, not a folder to remove.
    assertThatThrownBy(() -> collections.open("a", other))
        .isInstanceOf(ModelMismatchException.class)
        .hasMessageEndingWith(
            "re-index with this model: drop the collection from the PostgreSQL store"
                + " (DELETE /v1/collections/a on any `ragtime serve` node using it) and ingest"
                + " again")
        .hasMessageNotContaining("folder");
    assertThatThrownBy(() -> collections.openReadOnly("a", other))
        .isInstanceOf(ModelMismatchException.class)
        .hasMessageContaining("DELETE /v1/collections/a ");
    assertThatThrownBy(() -> collections.openReadOnly("missing", MODEL))
        .isInstanceOf(CollectionNotFoundException.class);
    ModelInfo variant = new ModelInfo(MODEL.id(), MODEL.dimension(), MODEL.maxTokens(), "int8");
    assertThatThrownBy(() -> collections.open("a", variant))
        .isInstanceOf(ModelMismatchException.class);
    assertThatThrownBy(() -> collections.open("wide", new ModelInfo("wide/model", 3072, 512)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2000");
    assertThat(collections.exists("wide")).isFalse();
  }

  @Test
  void twoNodesWritingTheSameDocumentsLeaveEachInOneWholeVersion() throws Exception {
    int documents = 4;
    int rounds = 15;
    try (PgDatabase otherNode = PgDatabase.open(testDatabase.settings())) {
      List<PgCollections> nodes = List.of(collections, PgCollections.on(otherNode));
      CountDownLatch start = new CountDownLatch(1);
      ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
      List<Thread> writers = new ArrayList<>();
      for (int n = 0; n < nodes.size(); n++) {
        PgCollections node = nodes.get(n);
        int nodeNumber = n;
        writers.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      try {
                        start.await();
                        try (Index index = node.open("shared", MODEL)) {
                          for (int r = 0; r < rounds; r++) {
                            String version = nodeNumber + "." + r;
                            List<DocumentWrite> batch = new ArrayList<>();
                            // Opposite orders on the two nodes: a lock-order deadlock would show.
                            for (int d = 0; d < documents; d++) {
                              int id = nodeNumber == 0 ? d : documents - 1 - d;
                              batch.add(version(id, version, 1 + (r + nodeNumber) % 3));
                            }
                            index.write(batch);
                          }
                        }
                      } catch (Throwable e) {
                        failures.add(e);
                      }
                    }));
      }
      start.countDown();
      for (Thread t : writers) {
        t.join();
      }
      assertThat(failures).isEmpty();
    }

    try (Index index = collections.openExisting("shared")) {
      long chunks = 0;
      for (int d = 0; d < documents; d++) {
        List<Hit> parts = index.chunks("d" + d);
        String version = parts.get(0).metadata().get("version");
        int expected = Integer.parseInt(parts.get(0).metadata().get("parts"));
        assertThat(parts).hasSize(expected);
        assertThat(parts)
            .allSatisfy(h -> assertThat(h.metadata()).containsEntry("version", version));
        assertThat(index.contentHash("d" + d)).contains("h" + version);
        chunks += parts.size();
      }
      assertThat(index.stats()).isEqualTo(new IndexStats(documents, chunks));
      assertThat(collections.stats("shared")).isEqualTo(new IndexStats(documents, chunks));
    }
  }

  private DocumentWrite version(int id, String version, int parts) {
    List<IndexedChunk> chunks = new ArrayList<>();
    Map<String, String> metadata = Map.of("version", version, "parts", Integer.toString(parts));
    for (int i = 0; i < parts; i++) {
      String text = "document " + id + " version " + version + " part " + i;
      chunks.add(new IndexedChunk("d" + id + "#" + i, i, text, embedder.vectorOf(text), metadata));
    }
    return new DocumentWrite("d" + id, "h" + version, chunks);
  }

  @Test
  void dropRemovesTheCollectionItsRowsAndItsVectorIndex() throws SQLException {
    Index index = collections.open("gone", MODEL);
    index.write(List.of(doc("a", Map.of(), "alpha beta", "gamma"), doc("b", Map.of(), "delta")));
    collections.open("kept", MODEL).close();
    assertThat(collections.names()).containsExactly("gone", "kept");

    assertThat(collections.drop("gone")).isTrue();

    assertThat(collections.exists("gone")).isFalse();
    assertThat(collections.names()).containsExactly("kept");
    assertThat(collections.drop("gone")).isFalse();
    assertThatThrownBy(() -> collections.stats("gone"))
        .isInstanceOf(CollectionNotFoundException.class);
    assertThatThrownBy(() -> index.write(List.of(doc("c", Map.of(), "x"))))
        .isInstanceOf(CollectionNotFoundException.class);
    assertThatThrownBy(index::snapshot).isInstanceOf(CollectionNotFoundException.class);
    assertThat(count("SELECT count(*) FROM chunks")).isZero();
    assertThat(count("SELECT count(*) FROM documents")).isZero();
    assertThat(count("SELECT count(*) FROM pg_indexes WHERE indexname LIKE 'chunks_hnsw_%'"))
        .isEqualTo(1);
    index.close();

    try (Index again = collections.open("gone", MODEL)) {
      assertThat(again.stats()).isEqualTo(new IndexStats(0, 0));
      assertThat(again.documentIds()).isEmpty();
    }
  }

  @Test
  void invalidNamesAndTextPostgresCannotStoreAreRefused() {
    assertThatThrownBy(() -> collections.open("../x", MODEL))
        .isInstanceOf(IllegalArgumentException.class);
    try (Index index = collections.open("nul", MODEL)) {
      assertThatThrownBy(() -> index.write(List.of(doc("a", Map.of(), "bad \0 text"))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("U+0000");
      assertThat(index.documentIds()).isEmpty();
      index.write(List.of(doc("q", Map.of("k", "it's a \"quote\" \\ back"), "it's o'clock \\ ok")));
      assertThat(index.chunks("q").get(0).metadata())
          .containsEntry("k", "it's a \"quote\" \\ back");
      try (IndexSnapshot s = index.snapshot()) {
        assertThat(s.lexical("o'clock it's \\", Map.of("k", "it's a \"quote\" \\ back"), 5))
            .extracting(Hit::docId)
            .containsExactly("q");
      }
    }
    assertThat(Set.copyOf(collections.names())).containsExactly("nul");
  }

  private long count(String sql) throws SQLException {
    try (Connection c = database.connection();
        PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
