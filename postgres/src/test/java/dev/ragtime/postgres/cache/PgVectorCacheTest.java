package dev.ragtime.postgres.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ragtime.embed.EmbeddingConfig;
import dev.ragtime.embed.EmbeddingModel;
import dev.ragtime.embed.EmbeddingPipeline;
import dev.ragtime.embed.ModelInfo;
import dev.ragtime.embed.PersistentVectorCache;
import dev.ragtime.postgres.PgDatabase;
import dev.ragtime.postgres.PgTestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The embedding cache shared in the database: two pipelines, each with its own pool as two nodes
 * would have, on one database. Needs PostgreSQL ({@link PgTestDatabase}).
 */
class PgVectorCacheTest {
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private PgTestDatabase database;

  @BeforeEach
  void createDatabase() {
    database = PgTestDatabase.create();
  }

  @AfterEach
  void dropDatabase() {
    executor.close();
    if (database != null) {
      database.close();
    }
  }

  /** A 3-d model whose vectors derive from the text; records every text it embeds. */
  static final class RecordingModel implements EmbeddingModel {
    final List<String> embedded = new java.util.concurrent.CopyOnWriteArrayList<>();

    static float[] vectorOf(String text) {
      double a = Math.floorMod(text.hashCode(), 1000) / 1000.0;
      return new float[] {(float) Math.cos(a), (float) Math.sin(a), 0f};
    }

    @Override
    public ModelInfo info() {
      return new ModelInfo("fake/recording", 3, 128);
    }

    @Override
    public List<float[]> embed(List<String> texts) {
      embedded.addAll(texts);
      return texts.stream().map(RecordingModel::vectorOf).toList();
    }
  }

  private EmbeddingPipeline node(PgDatabase db, EmbeddingModel model, SimpleMeterRegistry meters) {
    return EmbeddingPipeline.builder(EmbeddingConfig.builder().build())
        .executor(executor)
        .localModel(model)
        .meterRegistry(meters)
        .persistentCache(PgVectorCache.opener(db.dataSource()))
        .build();
  }

  @Test
  void aSecondNodeEmbedsNothingTheFirstEmbedded() {
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 600; i++) { // more than one write batch
      texts.add("passage number " + i);
    }
    var first = new RecordingModel();
    var second = new RecordingModel();
    try (PgDatabase a = PgDatabase.open(database.settings());
        PgDatabase b = PgDatabase.open(database.settings())) {
      try (var nodeA = node(a, first, new SimpleMeterRegistry())) {
        nodeA.embed(texts);
        nodeA.embedQuery("what is passage 7");
      } // closing writes what is pending
      var meters = new SimpleMeterRegistry();
      try (var nodeB = node(b, second, meters)) {
        List<String> mixed = new ArrayList<>(texts.subList(100, 300));
        mixed.add("a passage only the second node has seen");
        List<float[]> vectors = nodeB.embed(mixed);
        assertThat(vectors.get(0)).containsExactly(RecordingModel.vectorOf("passage number 100"));
        nodeB.embedQuery("what is passage 7");
        assertThat(second.embedded).containsExactly("a passage only the second node has seen");
        assertThat(
                meters
                    .get("ragtime.embedding.cache.requests")
                    .tag("tier", "disk")
                    .counter()
                    .count())
            .isEqualTo(201.0);
      }
    }
    assertThat(first.embedded).hasSize(601);
  }

  @Test
  void entriesRoundTripAndAKeyWrittenAgainWithAnotherVectorIsReplaced() throws Exception {
    try (PgDatabase db = PgDatabase.open(database.settings())) {
      PersistentVectorCache.Opener opener = PgVectorCache.opener(db.dataSource());
      try (PersistentVectorCache cache = opener.open("m", "m|dims=3");
          PersistentVectorCache other = opener.open("n", "n|dims=2")) {
        cache.putAll(Map.of("k1", new float[] {1f, 2f, 3f}, "k2", new float[] {0.5f, -1f, 0f}));
        other.putAll(Map.of("k3", new float[] {9f, 8f}));
        assertThat(cache.getAll(List.of("k1", "k2", "k3", "absent")))
            .containsOnlyKeys("k1", "k2", "k3");
        assertThat(cache.getAll(List.of("k2")).get("k2")).containsExactly(0.5f, -1f, 0f);

        cache.putAll(Map.of("k1", new float[] {7f, 7f}));
        assertThat(cache.getAll(List.of("k1")).get("k1")).containsExactly(7f, 7f);
        assertThat(cache.getAll(List.of())).isEmpty();
      }
    }
  }

  @Test
  void anUnreachableDatabaseIsAMissAndTheTextIsEmbedded() {
    var model = new RecordingModel();
    var meters = new SimpleMeterRegistry();
    PgDatabase db = PgDatabase.open(database.settings());
    try (var pipeline = node(db, model, meters)) {
      pipeline.embed(List.of("before"));
      db.close(); // the pool is gone from under the pipeline
      List<float[]> vectors = pipeline.embed(List.of("after"));
      assertThat(vectors.getFirst()).containsExactly(RecordingModel.vectorOf("after"));
      assertThat(model.embedded).containsExactly("before", "after");
      assertThat(
              meters.get("ragtime.embedding.cache.disk.errors").tag("op", "read").counter().count())
          .isEqualTo(1.0);
    }
  }
}
