package dev.ragtime.embed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ragtime.embed.EmbeddingModel.Purpose;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The query lane: queries go ahead of passages, do not linger, and are cached apart. */
class QueryLaneTest {
  private final ExecutorService executor =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("lane-test-", 0).factory());

  @AfterEach
  void closeExecutor() {
    executor.close();
  }

  /** One model call: what for and how many texts. */
  record Call(Purpose purpose, int size) {}

  /** A 3-d model that embeds queries and passages differently and logs its calls. */
  static class LoggingModel implements EmbeddingModel {
    final List<Call> calls = new CopyOnWriteArrayList<>();

    @Override
    public ModelInfo info() {
      return new ModelInfo("fake/two-sided", 3, 128);
    }

    @Override
    public List<float[]> embed(List<String> texts) {
      return embed(texts, Purpose.DOCUMENT);
    }

    @Override
    public List<float[]> embed(List<String> texts, Purpose purpose) {
      calls.add(new Call(purpose, texts.size()));
      float[] v = purpose == Purpose.QUERY ? new float[] {0, 1, 0} : new float[] {1, 0, 0};
      return texts.stream().map(t -> v.clone()).toList();
    }
  }

  @Test
  void aQueryDoesNotWaitTheBatchingWindowAPassageWaits() throws Exception {
    var model = new LoggingModel();
    // The longest window allowed: a passage alone waits it out, a query must not.
    var config = EmbeddingConfig.builder().maxWait(Duration.ofSeconds(10)).build();
    CompletableFuture<List<float[]>> passage;
    try (var p = EmbeddingPipeline.builder(config).executor(executor).localModel(model).build()) {
      passage = CompletableFuture.supplyAsync(() -> p.embed(List.of("a passage")), executor);
      while (p.stats().queued() == 0) { // the passage is lingering in the bulk lane
        Thread.sleep(1);
      }
      float[] q = p.embedQuery("a query");
      assertThat(q).containsExactly(0, 1, 0);
      assertThat(passage).isNotDone(); // still lingering: the query did not queue behind it
      assertThat(model.calls).containsExactly(new Call(Purpose.QUERY, 1));
    } // closing ends the linger: the passage leaves and is delivered
    assertThat(passage.get(60, TimeUnit.SECONDS).getFirst()).containsExactly(1, 0, 0);
  }

  @Test
  void aQueryGoesAheadOfTheRestOfABulkBatchAtTheLocalModel() throws Exception {
    var firstSliceRunning = new CountDownLatch(1);
    var releaseFirstSlice = new CountDownLatch(1);
    var model =
        new LoggingModel() {
          @Override
          public List<float[]> embed(List<String> texts, Purpose purpose) {
            boolean first = calls.isEmpty();
            List<float[]> out = super.embed(texts, purpose);
            if (first) {
              firstSliceRunning.countDown();
              try {
                releaseFirstSlice.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            return out;
          }
        };
    var gate = new ModelGate();
    // One bulk request at a time, as the CLI runs the local model; 64 texts are two slices.
    var config = EmbeddingConfig.builder().maxConcurrency(1).maxBatch(64).build();
    try (var p =
        EmbeddingPipeline.builder(config)
            .executor(executor)
            .localModel(model)
            .modelGate(gate)
            .build()) {
      List<String> passages = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        passages.add("passage " + i);
      }
      var bulk = CompletableFuture.supplyAsync(() -> p.embed(passages), executor);
      firstSliceRunning.await();
      var query = CompletableFuture.supplyAsync(() -> p.embedQuery("q"), executor);
      while (gate.queriesWaiting() == 0) { // a condition, not a timing bet
        Thread.sleep(1);
      }
      releaseFirstSlice.countDown();
      assertThat(query.get(60, TimeUnit.SECONDS)).containsExactly(0, 1, 0);
      assertThat(bulk.get(60, TimeUnit.SECONDS)).hasSize(64);
      assertThat(model.calls.get(0)).isEqualTo(new Call(Purpose.DOCUMENT, 32));
      assertThat(model.calls.get(1)).isEqualTo(new Call(Purpose.QUERY, 1));
      assertThat(model.calls.subList(2, model.calls.size()))
          .allSatisfy(c -> assertThat(c.purpose()).isEqualTo(Purpose.DOCUMENT))
          .extracting(Call::size)
          .containsOnly(32);
    }
  }

  @Test
  void aQueryAndTheSamePassageAreCachedApart() {
    var model = new LoggingModel();
    try (var p =
        EmbeddingPipeline.builder(EmbeddingConfig.builder().build())
            .executor(executor)
            .localModel(model)
            .build()) {
      assertThat(p.embed(List.of("same text")).getFirst()).containsExactly(1, 0, 0);
      assertThat(p.embedQuery("same text")).containsExactly(0, 1, 0);
      assertThat(p.embedQuery("same text")).containsExactly(0, 1, 0); // now from the cache
      assertThat(p.embed(List.of("same text")).getFirst()).containsExactly(1, 0, 0);
      assertThat(model.calls)
          .containsExactly(new Call(Purpose.DOCUMENT, 1), new Call(Purpose.QUERY, 1));
    }
  }

  @Test
  void slicesSortByLengthAndKeepToTheirBudget() {
    int[] tokens = {100, 3, 50, 3, 254, 10};
    List<int[]> slices = ModelGate.slices(tokens, 256, 32);
    List<Integer> order = new ArrayList<>();
    for (int[] s : slices) {
      int longest = 0;
      for (int i : s) {
        longest = Math.max(longest, tokens[i] + 2);
        order.add(i);
      }
      assertThat((long) longest * s.length).isLessThanOrEqualTo(256);
    }
    assertThat(order).containsExactly(1, 3, 5, 2, 0, 4); // every text once, shortest first
    // Five texts of 3 to 50 tokens fit 256 cells? 52 * 4 = 208 yes, with 100 no: 102 * 5 > 256.
    assertThat(slices.getFirst()).containsExactly(1, 3, 5, 2);
    // A text longer than the budget still goes, alone.
    assertThat(ModelGate.slices(new int[] {1_000}, 256, 32)).hasSize(1);
  }

  @Test
  void whileQueriesArriveAPassageSliceIsSizedToTheTimeBudgetFromWhatSlicesTook()
      throws InterruptedException {
    var now = new java.util.concurrent.atomic.AtomicLong();
    var gate = new ModelGate(now::get);
    assertThat(gate.sliceCells()).as("no query yet").isEqualTo(ModelGate.IDLE_SLICE_CELLS);
    gate.acquire(Purpose.QUERY);
    gate.release();
    assertThat(gate.sliceCells()).as("nothing measured yet").isEqualTo(ModelGate.BUSY_SLICE_CELLS);

    long budget = ModelGate.BUSY_SLICE_BUDGET.toNanos();
    gate.sliceDone(true, 500, budget); // 500 cells took the whole budget
    assertThat(gate.sliceCells()).isEqualTo(500);
    gate.sliceDone(false, 500, 10 * budget); // a slice cut while idle teaches the idle size only
    assertThat(gate.sliceCells()).isEqualTo(500);
    for (int i = 0; i < 50; i++) {
      gate.sliceDone(
          true, 500, 2 * budget); // the machine got slower: slices shrink towards 250 cells
    }
    assertThat(gate.sliceCells()).isBetween(250, 260);
    for (int i = 0; i < 50; i++) {
      gate.sliceDone(true, 500, 100 * budget);
    }
    assertThat(gate.sliceCells()).isEqualTo(ModelGate.MIN_BUSY_SLICE_CELLS);
    for (int i = 0; i < 100; i++) {
      gate.sliceDone(true, 500, budget / 100);
    }
    assertThat(gate.sliceCells()).isEqualTo(ModelGate.IDLE_SLICE_CELLS);

    now.addAndGet(ModelGate.QUERY_ACTIVE_WINDOW.toNanos() + 1);
    // No query for a while: the idle size, learned from the one idle slice above (500 cells in
    // 10 busy budgets = 200 ms, i.e. 150 cells in the 60 ms idle budget).
    assertThat(gate.sliceCells()).as("no query for a while").isEqualTo(150);
    assertThat(ModelGate.cells(new int[] {2, 1, 0}, new int[] {30, 8, 5}, 0, 2)).isEqualTo(20);
  }

  @Test
  void withoutQueriesAPassageSliceIsSizedToTheIdleBudget() {
    var gate = new ModelGate(() -> 0L);
    assertThat(gate.sliceCells()).as("nothing measured yet").isEqualTo(ModelGate.IDLE_SLICE_CELLS);
    long budget = ModelGate.IDLE_SLICE_BUDGET.toNanos();
    gate.sliceDone(false, 2_048, 4 * budget); // a large slice took 4 budgets (240 ms)
    assertThat(gate.sliceCells()).isEqualTo(512);
    gate.sliceDone(true, 64, budget); // a small slice's time does not teach the idle size
    assertThat(gate.sliceCells()).isEqualTo(512);
    for (int i = 0; i < 100; i++) {
      gate.sliceDone(false, 1_000, budget / 10); // a fast machine: capped at the runner's sub-batch
    }
    assertThat(gate.sliceCells()).isEqualTo(ModelGate.IDLE_SLICE_CELLS);
    for (int i = 0; i < 100; i++) {
      gate.sliceDone(false, 100, 100 * budget);
    }
    assertThat(gate.sliceCells()).isEqualTo(ModelGate.MIN_BUSY_SLICE_CELLS);
  }

  @Test
  void theLocalModelRunsOnAPlatformThreadNotOnTheCallersVirtualThread() {
    var threads = new CopyOnWriteArrayList<Thread>();
    var model =
        new LoggingModel() {
          @Override
          public List<float[]> embed(List<String> texts, Purpose purpose) {
            threads.add(Thread.currentThread());
            return super.embed(texts, purpose);
          }
        };
    try (var p =
        EmbeddingPipeline.builder(EmbeddingConfig.builder().build())
            .executor(executor)
            .localModel(model)
            .build()) {
      p.embedQuery("a query");
      p.embed(List.of("a passage", "another passage"));
    }
    assertThat(threads).hasSize(2);
    assertThat(threads).allSatisfy(t -> assertThat(t.isVirtual()).isFalse());
    assertThat(threads).extracting(Thread::getName).allMatch(n -> n.startsWith("ragtime-model-"));
  }
}
