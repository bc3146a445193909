package dev.ragtime.embed;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The disk tier is written behind: bounded, with backpressure, never on the caller's path. */
class VectorCacheWriteBehindTest {

  @Test
  void aStuckDiskBlocksProducersAtTheBoundButNeverReaders(@TempDir Path dir) throws Exception {
    var directory = new PipelineCacheAndCloseTest.StuckSyncDirectory(dir);
    DiskVectorStore store = DiskVectorStore.open(directory, "ns");
    directory.armed.set(true);
    try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
      var cache =
          new VectorCache(
              0, Optional.of(store), executor, new PipelineMetrics(new SimpleMeterRegistry(), "m"));
      // The store commits at COMMIT_EVERY entries, and that commit sticks; everything after it
      // waits in the pending map, which put() fills without blocking.
      int total = DiskVectorStore.COMMIT_EVERY + VectorCache.PENDING_LIMIT + 10;
      for (int i = 0; i < total; i++) {
        cache.put("k" + i, new float[] {i, 1});
      }
      directory.entered.await(); // the writer is stuck in the commit
      // Readers still see every vector, from the pending map or the store's uncommitted entries.
      assertThat(cache.getDelivered(List.of("k0", "k" + (total - 1))))
          .containsOnlyKeys("k0", "k" + (total - 1));
      assertThat(cache.pendingWrites()).isGreaterThanOrEqualTo(VectorCache.PENDING_LIMIT);

      var waiting = new CompletableFuture<Void>();
      Thread producer =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      cache.awaitWriteCapacity();
                      waiting.complete(null);
                    } catch (InterruptedException e) {
                      waiting.completeExceptionally(e);
                    }
                  });
      while (producer.getState() != Thread.State.TIMED_WAITING
          && producer.getState() != Thread.State.WAITING
          && !waiting.isDone()) {
        Thread.sleep(1); // until the producer blocks (or, wrongly, returns)
      }
      assertThat(waiting).isNotDone();

      directory.release.countDown();
      waiting.get(60, TimeUnit.SECONDS); // hang detector only
      cache.close();
      try (var reopened = DiskVectorStore.open(dir, "ns")) {
        assertThat(reopened.committedEntries()).isEqualTo(total); // nothing was dropped
      }
    } finally {
      directory.release.countDown();
    }
  }
}
