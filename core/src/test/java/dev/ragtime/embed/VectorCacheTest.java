package dev.ragtime.embed;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.FilterDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two tiers of the vector cache, driven step by step: the writer task runs only when the test
 * runs it, so what sits in memory, in the pending map and on disk is known at every point.
 */
class VectorCacheTest {
  @TempDir Path dir;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final PipelineMetrics metrics = new PipelineMetrics(registry, "m");

  /** Holds submitted tasks until {@link #runAll()}. */
  private static final class HeldExecutor implements Executor {
    final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
    }

    void runAll() {
      while (!tasks.isEmpty()) {
        tasks.poll().run();
      }
    }
  }

  private double diskErrors(String op) {
    var counter =
        registry.find(PipelineMetrics.PREFIX + "cache.disk.errors").tag("op", op).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void withoutADiskTierOnlyMemoryIsUsedAndNothingWaits() throws Exception {
    var cache = new VectorCache(1 << 20, Optional.empty(), new HeldExecutor(), metrics);
    cache.put("a", new float[] {1});
    var found = cache.getAll(List.of("a", "b"));
    assertThat(found.memory()).containsOnlyKeys("a");
    assertThat(found.disk()).isEmpty();
    assertThat(cache.getDelivered(List.of("a", "b"))).containsOnlyKeys("a");
    assertThat(cache.persistent()).isFalse();
    assertThat(cache.memoryEntries()).isEqualTo(1);
    assertThat(cache.pendingWrites()).isZero();
    cache.awaitWriteCapacity(); // returns at once
    cache.flush();
    cache.close();
  }

  @Test
  void aVectorWaitsInThePendingMapUntilTheWriterRunsThenComesFromDiskIntoMemory() throws Exception {
    var executor = new HeldExecutor();
    var store = DiskVectorStore.open(dir, "ns");
    var cache =
        new VectorCache(1 << 20, Optional.<PersistentVectorCache>of(store), executor, metrics);
    assertThat(cache.persistent()).isTrue();

    cache.put("a", new float[] {1, 2});
    cache.put("b", new float[] {3, 4});
    assertThat(cache.pendingWrites()).isEqualTo(2);
    assertThat(executor.tasks).as("one writer for both").hasSize(1);
    assertThat(cache.awaitWritten(Duration.ZERO)).isFalse();
    assertThat(store.uncommittedEntries()).isZero();

    executor.runAll();
    assertThat(cache.pendingWrites()).isZero();
    assertThat(store.uncommittedEntries()).isEqualTo(2);
    assertThat(cache.awaitWritten(Duration.ZERO)).isTrue();
    cache.flush(); // commits now
    assertThat(store.uncommittedEntries()).isZero();
    assertThat(store.committedEntries()).isEqualTo(2);
    cache.close();

    // A new cache over the same directory: a miss in memory, a hit on disk, then in memory.
    var reopened =
        new VectorCache(
            1 << 20,
            Optional.<PersistentVectorCache>of(DiskVectorStore.open(dir, "ns")),
            executor,
            metrics);
    assertThat(reopened.getDelivered(List.of("a")))
        .as("the memory tier holds every delivered vector; the disk is not asked")
        .isEmpty();
    var first = reopened.getAll(List.of("a", "c"));
    assertThat(first.memory()).isEmpty();
    assertThat(first.disk()).containsOnlyKeys("a");
    assertThat(first.disk().get("a")).containsExactly(1, 2);
    assertThat(reopened.memoryEntries()).isEqualTo(1);
    var second = reopened.getAll(List.of("a"));
    assertThat(second.memory()).containsOnlyKeys("a");
    assertThat(second.disk()).isEmpty();
    reopened.close();
    assertThat(diskErrors("read") + diskErrors("write")).isZero();
  }

  @Test
  void withoutAMemoryTierPendingAndDiskVectorsAreDelivered() throws Exception {
    var executor = new HeldExecutor();
    var store = DiskVectorStore.open(dir, "ns");
    var cache = new VectorCache(0, Optional.<PersistentVectorCache>of(store), executor, metrics);
    cache.put("a", new float[] {1});
    assertThat(cache.memoryEntries()).isZero();
    var pending = cache.getAll(List.of("a"));
    assertThat(pending.memory()).isEmpty();
    assertThat(pending.disk()).containsOnlyKeys("a");
    assertThat(cache.getDelivered(List.of("a", "b"))).containsOnlyKeys("a");
    executor.runAll();
    assertThat(cache.getDelivered(List.of("a"))).containsOnlyKeys("a"); // now from the store
    assertThat(cache.getAll(List.of("a")).disk().get("a")).containsExactly(1);
    cache.close();
  }

  @Test
  void anExecutorThatRefusesTheWriterLeavesTheWriteToTheCaller() throws Exception {
    Executor refusing =
        task -> {
          throw new RejectedExecutionException("shutting down");
        };
    var store = DiskVectorStore.open(dir, "ns");
    var cache = new VectorCache(0, Optional.<PersistentVectorCache>of(store), refusing, metrics);
    cache.put("a", new float[] {1});
    assertThat(cache.pendingWrites()).isZero();
    assertThat(store.uncommittedEntries()).isEqualTo(1);
    cache.put("b", new float[] {2}); // the writer flag was cleared: the next put writes too
    assertThat(store.uncommittedEntries()).isEqualTo(2);
    cache.close();
  }

  @Test
  void diskErrorsAreMissesAndLostEntriesCountedPerOperation() throws Exception {
    var failSync = new AtomicBoolean();
    var directory =
        new FilterDirectory(FSDirectory.open(dir)) {
          @Override
          public void sync(Collection<String> names) throws IOException {
            if (failSync.get()) {
              throw new IOException("disk full");
            }
            super.sync(names);
          }
        };
    var executor = new HeldExecutor();
    var store = DiskVectorStore.open(directory, "ns");
    var cache =
        new VectorCache(1 << 20, Optional.<PersistentVectorCache>of(store), executor, metrics);
    cache.put("a", new float[] {1});
    executor.runAll();
    failSync.set(true);
    cache.flush(); // the commit fails: the entry may be lost, counted as a write error
    assertThat(diskErrors("write")).isEqualTo(1);
    assertThat(diskErrors("read")).isZero();

    failSync.set(false);
    store.close(); // from now on every read and write of the store fails
    cache.put("b", new float[] {2});
    executor.runAll();
    assertThat(cache.pendingWrites()).as("a failed write is dropped, not retried").isZero();
    assertThat(diskErrors("write")).isEqualTo(2);

    var found = cache.getAll(List.of("c", "d"));
    assertThat(found.memory()).isEmpty();
    assertThat(found.disk()).isEmpty();
    assertThat(diskErrors("read")).isEqualTo(1);
    cache.getAll(List.of("c"));
    assertThat(diskErrors("read")).isEqualTo(2);
    assertThat(cache.getAll(List.of("a")).memory()).containsOnlyKeys("a");
    assertThat(diskErrors("read")).as("a memory hit does not touch the disk").isEqualTo(2);
  }

  @Test
  void closingDropsWhatTheWriterDidNotWriteInTimeAndTakesNoMoreWrites() throws Exception {
    var executor = new HeldExecutor();
    var store = DiskVectorStore.open(dir, "ns");
    var cache =
        new VectorCache(1 << 20, Optional.<PersistentVectorCache>of(store), executor, metrics);
    cache.put("a", new float[] {1});
    cache.close(Duration.ZERO); // the writer never ran
    assertThat(cache.pendingWrites()).isEqualTo(1);
    cache.put("b", new float[] {2});
    assertThat(cache.pendingWrites()).as("no write is taken after close").isEqualTo(1);
    cache.awaitWriteCapacity(); // returns once closed
    try (var reopened = DiskVectorStore.open(dir, "ns")) {
      assertThat(reopened.committedEntries()).isZero();
    }
  }
}
