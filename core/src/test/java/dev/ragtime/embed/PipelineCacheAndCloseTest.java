package dev.ragtime.embed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ragtime.chunk.TokenCounter;
import dev.ragtime.provider.EmbeddingCancelledException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.FilterDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression tests for the cache and shutdown defects of issue 8 (6, 8 and three of 9), each
 * through the public pipeline API against a fake in-process model and a real Lucene disk tier.
 */
class PipelineCacheAndCloseTest {
  private final ExecutorService executor =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("cache-test-", 0).factory());

  @AfterEach
  void closeExecutor() {
    executor.close();
  }

  /** A 3-d model whose vectors derive from the text; counts the texts it was asked to embed. */
  static class CountingModel implements EmbeddingModel {
    final ModelInfo info;
    final AtomicInteger texts = new AtomicInteger();
    final AtomicInteger calls = new AtomicInteger();
    final Function<String, float[]> vector;

    CountingModel(ModelInfo info, Function<String, float[]> vector) {
      this.info = info;
      this.vector = vector;
    }

    CountingModel() {
      this(new ModelInfo("fake/local", 3, 128), CountingModel::unitOf);
    }

    static float[] unitOf(String text) {
      double a = Math.floorMod(text.hashCode(), 1000) / 1000.0;
      return new float[] {(float) Math.cos(a), (float) Math.sin(a), 0f};
    }

    @Override
    public ModelInfo info() {
      return info;
    }

    @Override
    public List<float[]> embed(List<String> batch) {
      calls.incrementAndGet();
      texts.addAndGet(batch.size());
      return batch.stream().map(vector).toList();
    }
  }

  private static EmbeddingConfig local() {
    return EmbeddingConfig.builder().build();
  }

  /** A directory whose {@code sync} (part of every Lucene commit) blocks while armed. */
  static final class StuckSyncDirectory extends FilterDirectory {
    final AtomicBoolean armed = new AtomicBoolean();
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    StuckSyncDirectory(Path dir) throws IOException {
      super(FSDirectory.open(dir));
    }

    @Override
    public void sync(Collection<String> names) throws IOException {
      if (armed.get()) {
        entered.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted in sync", e);
        }
      }
      super.sync(names);
    }
  }

  @Test
  void callersGetTheirVectorsWhileTheDiskTierIsStuckInACommit(@TempDir Path dir) throws Exception {
    var directory = new StuckSyncDirectory(dir);
    DiskVectorStore store = DiskVectorStore.open(directory, "test-namespace");
    directory.armed.set(true); // the store's first commit (at open) went through
    var model = new CountingModel();
    var pipeline =
        EmbeddingPipeline.builder(local()).executor(executor).localModel(model).diskStore(store);
    try (var p = pipeline.build()) {
      // More distinct texts than the disk tier commits after, so a commit is due during the call.
      List<String> texts = new ArrayList<>();
      for (int i = 0; i < DiskVectorStore.COMMIT_EVERY + 100; i++) {
        texts.add("text number " + i);
      }
      var call = CompletableFuture.supplyAsync(() -> p.embed(texts), executor);
      // A hang detector only: with the commit stuck, the old code never delivers the batch that
      // triggered it; the fixed code returns while the commit is still stuck.
      List<float[]> vectors = call.get(60, TimeUnit.SECONDS);
      assertThat(vectors).hasSize(texts.size());
      assertThat(vectors.get(7)).containsExactly(CountingModel.unitOf("text number 7"));
      directory.release.countDown();
    } finally {
      directory.release.countDown();
    }
  }

  @Test
  void aDiskTierThatFailsToReadIsAMissNotAFailedEmbed(@TempDir Path dir) throws Exception {
    DiskVectorStore store = DiskVectorStore.open(dir, "test-namespace");
    var model = new CountingModel();
    var registry = new SimpleMeterRegistry();
    try (var p =
        EmbeddingPipeline.builder(local())
            .executor(executor)
            .localModel(model)
            .meterRegistry(registry)
            .diskStore(store)
            .build()) {
      p.embed(List.of("before"));
      store.close(); // the directory is gone from under the pipeline
      List<float[]> vectors = p.embed(List.of("after one", "after two"));
      assertThat(vectors.get(1)).containsExactly(CountingModel.unitOf("after two"));
      List<float[]> again = p.embed(List.of("after three"));
      assertThat(again.getFirst()).containsExactly(CountingModel.unitOf("after three"));
      assertThat(model.texts.get()).isEqualTo(4);
      assertThat(
              registry
                  .get("ragtime.embedding.cache.disk.errors")
                  .tag("op", "read")
                  .counter()
                  .count())
          .isEqualTo(2.0);
    }
  }

  @Test
  void withTheMemoryTierDisabledATextDeliveredMeanwhileIsNotEmbeddedAgain(@TempDir Path dir)
      throws Exception {
    var modelCalled = new CountDownLatch(1);
    var modelRelease = new CountDownLatch(1);
    var model =
        new CountingModel() {
          @Override
          public List<float[]> embed(List<String> batch) {
            if (calls.get() == 0) {
              modelCalled.countDown();
              try {
                modelRelease.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            return super.embed(batch);
          }
        };
    // The token counter runs for a cache miss between the cache lookup and joining the in-flight
    // map: hold the second caller there until the first caller's text has been delivered.
    var secondInGap = new CountDownLatch(1);
    var firstDone = new CountDownLatch(1);
    var counts = new AtomicInteger();
    TokenCounter counter =
        text -> {
          if (text.equals("shared") && counts.incrementAndGet() == 2) {
            secondInGap.countDown();
            try {
              firstDone.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          return 1;
        };
    try (var p =
        EmbeddingPipeline.builder(local().toBuilder().cacheMemoryBytes(0).build())
            .executor(executor)
            .localModel(model)
            .tokenCounter(counter)
            .cacheDirectory(dir)
            .build()) {
      var first = CompletableFuture.supplyAsync(() -> p.embed(List.of("shared")), executor);
      modelCalled.await();
      var second = CompletableFuture.supplyAsync(() -> p.embed(List.of("shared")), executor);
      secondInGap.await(); // the second caller has missed the cache
      modelRelease.countDown();
      first.join();
      firstDone.countDown();
      assertThat(second.join().getFirst()).containsExactly(CountingModel.unitOf("shared"));
      assertThat(model.texts.get()).isEqualTo(1);
    }
  }

  @Test
  void nothingStartsAfterCloseReturns() throws Exception {
    var started = new CountDownLatch(1);
    var release = new CountDownLatch(1);
    var closeReturned = new AtomicBoolean();
    var callsAfterClose = new AtomicInteger();
    var model =
        new CountingModel() {
          @Override
          public List<float[]> embed(List<String> batch) {
            if (closeReturned.get()) {
              callsAfterClose.incrementAndGet();
            }
            if (calls.getAndIncrement() == 0) {
              started.countDown();
              while (true) { // ignores (and clears) interrupts, as a stuck native call might
                try {
                  release.await();
                  break;
                } catch (InterruptedException e) {
                  // keep waiting
                }
              }
              throw new IllegalStateException("the first batch fails");
            }
            return batch.stream().map(CountingModel::unitOf).toList();
          }
        };
    // Two callers' texts in one batch: when it fails, each caller's texts would be tried again.
    var config = local().toBuilder().maxBatch(2).maxWait(java.time.Duration.ofSeconds(10)).build();
    var p =
        EmbeddingPipeline.builder(config)
            .executor(executor)
            .localModel(model)
            .drainTimeout(java.time.Duration.ZERO)
            .build();
    var a = CompletableFuture.supplyAsync(() -> p.embed(List.of("a")), executor);
    var b = CompletableFuture.supplyAsync(() -> p.embed(List.of("b")), executor);
    started.await();
    p.close();
    closeReturned.set(true);
    release.countDown();
    assertThat(a).failsWithin(60, TimeUnit.SECONDS);
    assertThat(b).failsWithin(60, TimeUnit.SECONDS);
    assertThat(a.handle((v, e) -> e.getCause()))
        .isCompletedWithValueMatching(e -> e instanceof EmbeddingCancelledException);
    assertThat(callsAfterClose.get()).isZero();
  }

  @Test
  void aProbeDimensionFromTheCacheGivesWayToTheFirstFreshResponse(@TempDir Path dir)
      throws Exception {
    var dimension = new AtomicInteger(3);
    try (var server =
        new ScriptedProvider((n, inputs) -> ScriptedProvider.ok(inputs, dimension.get()))) {
      var config =
          EmbeddingConfig.builder()
              .provider(EmbeddingConfig.Provider.OPENAI)
              .baseUrl(server.baseUri())
              .model("m")
              .maxWait(java.time.Duration.ofMillis(1))
              .build();
      try (var p =
          EmbeddingPipeline.builder(config).executor(executor).cacheDirectory(dir).build()) {
        assertThat(p.info().dimension()).isEqualTo(3); // probe sent, and cached
      }
      dimension.set(4); // the server behind the model name now serves another model
      try (var p =
          EmbeddingPipeline.builder(config).executor(executor).cacheDirectory(dir).build()) {
        assertThat(p.info().dimension()).isEqualTo(3); // from the cached probe: no request
        List<float[]> v = p.embed(List.of("fresh text"));
        assertThat(v.getFirst()).hasSize(4);
        assertThat(p.info().dimension()).isEqualTo(4);
        // The stale cached probe vector is not served any more.
        assertThat(p.embed(List.of(EmbeddingPipeline.PROBE_TEXT)).getFirst()).hasSize(4);
      }
    }
  }

  @Test
  void theLocalModelsTruncationIsPartOfTheCacheNamespace(@TempDir Path dir) {
    var longModel =
        new CountingModel(new ModelInfo("fake/local", 3, 256), t -> new float[] {1, 0, 0});
    var shortModel =
        new CountingModel(new ModelInfo("fake/local", 3, 128), t -> new float[] {0, 1, 0});
    try (var p =
        EmbeddingPipeline.builder(local())
            .executor(executor)
            .localModel(longModel)
            .cacheDirectory(dir)
            .build()) {
      assertThat(p.embed(List.of("a long text")).getFirst()).containsExactly(1, 0, 0);
    }
    try (var p =
        EmbeddingPipeline.builder(local())
            .executor(executor)
            .localModel(shortModel)
            .cacheDirectory(dir)
            .build()) {
      assertThat(p.embed(List.of("a long text")).getFirst()).containsExactly(0, 1, 0);
      assertThat(shortModel.texts.get()).isEqualTo(1);
    }
    assertThat(new ModelInfo("m", 3, 256).compatibleWith(new ModelInfo("m", 3, 128))).isFalse();
    assertThat(new ModelInfo("m", 3, 256).compatibleWith(new ModelInfo("m", 3, 256))).isTrue();
  }

  @Test
  void noSynchronizedAroundTheBlockingWorkOfThePipeline() throws IOException {
    // Defect 7: on JDK 21 a virtual thread blocked inside synchronized pins its carrier. JDK 25 no
    // longer pins, so no runtime test can see it: the sources that block (model calls, Lucene
    // reads, writes and commits, waits for batches) are checked instead.
    Path pkg = Path.of("src/main/java/dev/ragtime/embed");
    List<String> blocking =
        List.of(
            "EmbeddingPipeline.java",
            "Dispatcher.java",
            "SingleFlight.java",
            "Delivery.java",
            "VectorCache.java",
            "DiskVectorStore.java",
            "LocalSender.java",
            "ModelGate.java",
            "ModelIdentity.java",
            "MicroBatcher.java");
    List<String> offenders = new ArrayList<>();
    for (String name : blocking) {
      Path f = pkg.resolve(name);
      if (!Files.exists(f)) {
        continue; // a class may be renamed; the others still count
      }
      String src = Files.readString(f).replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//.*", "");
      if (src.matches("(?s).*\\bsynchronized\\b.*")) {
        offenders.add(name);
      }
    }
    assertThat(offenders).isEmpty();
    assertThat(Files.exists(pkg.resolve("EmbeddingPipeline.java"))).isTrue();
  }
}
