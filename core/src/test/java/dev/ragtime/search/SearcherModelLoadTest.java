package dev.ragtime.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ragtime.index.DocumentWrite;
import dev.ragtime.index.Index;
import dev.ragtime.index.IndexedChunk;
import dev.ragtime.index.LuceneCollections;
import dev.ragtime.testing.FakeEmbeddingModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Concurrent first searches on virtual threads ask the model supplier once: the others wait for the
 * one that loads it (on a lock, not a monitor, so they do not pin carriers) and then share it.
 */
class SearcherModelLoadTest {
  private static final int CALLERS = 16;

  @TempDir Path dataDir;

  @Test
  void concurrentFirstVectorSearchesLoadTheModelOnce() throws Exception {
    var model = new FakeEmbeddingModel();
    try (Index index = LuceneCollections.at(dataDir).open("docs", model.info())) {
      String text = "basalt columns cool slowly";
      index.write(
          List.of(
              new DocumentWrite(
                  "rocks",
                  "h",
                  List.of(new IndexedChunk("rocks#0", 0, text, model.vectorOf(text), Map.of())))));

      var supplied = new AtomicInteger();
      var threads = new ConcurrentLinkedQueue<Thread>();
      var allStarted = new CountDownLatch(CALLERS);
      Searcher searcher =
          Searcher.create(
              index,
              () -> {
                supplied.incrementAndGet();
                // Hold the load until every other caller is either waiting for it or (were the
                // lock missing) loading too: the callers really overlap the load.
                awaitQuietly(allStarted);
                while (!othersWaitingOrLoading(threads, supplied)) {
                  Thread.yield(); // a virtual thread gives its carrier to the other callers
                }
                return model;
              },
              SearchConfig.DEFAULT);

      List<Future<SearchResult>> results = new ArrayList<>();
      try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int i = 0; i < CALLERS; i++) {
          results.add(
              executor.submit(
                  () -> {
                    threads.add(Thread.currentThread());
                    allStarted.countDown();
                    return searcher.search(
                        new SearchRequest("basalt", 1, SearchMode.VECTOR, Map.of()));
                  }));
        }
        for (Future<SearchResult> r : results) {
          assertThat(r.get().hits()).singleElement().extracting(h -> h.docId()).isEqualTo("rocks");
        }
      }
      assertThat(supplied.get()).as("model supplier calls").isEqualTo(1);
      assertThat(model.calls()).as("one query embedding per search").isEqualTo(CALLERS);
    }
  }

  /** Every caller but the loader is parked (on the lock) or is inside the supplier itself. */
  private static boolean othersWaitingOrLoading(Queue<Thread> threads, AtomicInteger supplied) {
    int parked = 0;
    for (Thread t : threads) {
      if (t != Thread.currentThread()
          && (t.getState() == Thread.State.WAITING || t.getState() == Thread.State.BLOCKED)) {
        parked++;
      }
    }
    return parked + supplied.get() >= CALLERS;
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
