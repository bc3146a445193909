package dev.ragtime.embed;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The persistent tier is a seam: a pipeline given an {@link PersistentVectorCache.Opener} reads and
 * writes through it, so two pipelines (two nodes) on one shared store embed each text once.
 */
class PersistentCacheSeamTest {
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

  @AfterEach
  void closeExecutor() {
    executor.close();
  }

  /** A shared store in memory, standing in for a database that several nodes use. */
  static final class SharedStore {
    final Map<String, float[]> entries = new ConcurrentHashMap<>();
    final List<String> namespaces = new java.util.concurrent.CopyOnWriteArrayList<>();
    final AtomicInteger writes = new AtomicInteger();

    PersistentVectorCache.Opener opener() {
      return (modelId, namespace) -> {
        namespaces.add(namespace);
        return new PersistentVectorCache() {
          @Override
          public Map<String, float[]> getAll(Collection<String> keys) {
            Map<String, float[]> found = new HashMap<>();
            keys.forEach(
                k -> {
                  float[] v = entries.get(k);
                  if (v != null) {
                    found.put(k, v);
                  }
                });
            return found;
          }

          @Override
          public void putAll(Map<String, float[]> batch) {
            writes.incrementAndGet();
            entries.putAll(batch);
          }

          @Override
          public void commit() {}

          @Override
          public void close() {}
        };
      };
    }
  }

  private EmbeddingPipeline node(PipelineCacheAndCloseTest.CountingModel model, SharedStore store) {
    return EmbeddingPipeline.builder(EmbeddingConfig.builder().build())
        .executor(executor)
        .localModel(model)
        .persistentCache(store.opener())
        .build();
  }

  @Test
  void aSecondNodeEmbedsNothingTheFirstEmbedded() {
    var store = new SharedStore();
    var first = new PipelineCacheAndCloseTest.CountingModel();
    var second = new PipelineCacheAndCloseTest.CountingModel();
    List<String> texts = List.of("alpha", "beta", "gamma");
    try (var a = node(first, store);
        var b = node(second, store)) {
      a.embed(texts);
      a.flush(); // written behind: wait until the shared store holds them
      List<float[]> again = b.embed(List.of("beta", "alpha", "gamma", "delta"));
      assertThat(again.get(1))
          .containsExactly(PipelineCacheAndCloseTest.CountingModel.unitOf("alpha"));
      assertThat(first.texts.get()).isEqualTo(3);
      assertThat(second.texts.get()).as("only 'delta' is new to the second node").isEqualTo(1);
    }
    assertThat(store.entries).hasSize(4);
    assertThat(store.namespaces).hasSize(2).allMatch(ns -> ns.equals(store.namespaces.get(0)));
    assertThat(store.namespaces.get(0)).isEqualTo(first.info().fingerprint());
  }

  @Test
  void anOpenerThatFailsLeavesTheMemoryTier() {
    var model = new PipelineCacheAndCloseTest.CountingModel();
    try (var p =
        EmbeddingPipeline.builder(EmbeddingConfig.builder().build())
            .executor(executor)
            .localModel(model)
            .persistentCache(
                (id, ns) -> {
                  throw new IOException("database is down");
                })
            .build()) {
      p.embed(List.of("one"));
      p.embed(List.of("one"));
      assertThat(model.texts.get()).isEqualTo(1);
    }
  }

  @Test
  void theWriterHandsTheStoreBatchesNotSingleEntries() {
    var store = new SharedStore();
    var model = new PipelineCacheAndCloseTest.CountingModel();
    List<String> texts = new java.util.ArrayList<>();
    for (int i = 0; i < VectorCache.WRITE_BATCH * 2; i++) {
      texts.add("text " + i);
    }
    try (var p = node(model, store)) {
      p.embed(texts);
      p.flush();
    }
    assertThat(store.entries).hasSize(texts.size());
    assertThat(store.writes.get()).isLessThan(texts.size() / 2);
  }
}
