package dev.ragtime.embed;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MicroBatcherTest {
  private static List<PendingText> texts(int n, int tokens) {
    var list = new ArrayList<PendingText>();
    for (int i = 0; i < n; i++) {
      list.add(new PendingText("k" + i, "t" + i, tokens, 1, System.nanoTime()));
    }
    return list;
  }

  @Test
  void batchesAreBoundedByInputsAndKeepArrivalOrder() throws Exception {
    var batcher = new MicroBatcher(100);
    batcher.enqueue(texts(10, 1));
    var first = batcher.take(4, 1_000, Duration.ZERO);
    assertThat(first).extracting(p -> p.text).containsExactly("t0", "t1", "t2", "t3");
    assertThat(batcher.take(4, 1_000, Duration.ZERO))
        .extracting(p -> p.text)
        .containsExactly("t4", "t5", "t6", "t7");
    assertThat(batcher.take(4, 1_000, Duration.ZERO)).hasSize(2);
  }

  @Test
  void batchesAreBoundedByTokensButAnOversizedTextStillGoesAlone() throws Exception {
    var batcher = new MicroBatcher(100);
    batcher.enqueue(texts(3, 40));
    assertThat(batcher.take(10, 100, Duration.ZERO)).hasSize(2);
    batcher.enqueue(List.of(new PendingText("big", "big", 500, 1, System.nanoTime())));
    assertThat(batcher.take(10, 100, Duration.ZERO)).hasSize(1);
    assertThat(batcher.take(10, 100, Duration.ZERO)).extracting(p -> p.key).containsExactly("big");
  }

  @Test
  void cancelledTextsAreSkipped() throws Exception {
    var batcher = new MicroBatcher(100);
    var items = texts(3, 1);
    batcher.enqueue(items);
    items.get(0).cancel();
    items.get(2).cancel();
    assertThat(batcher.take(10, 100, Duration.ZERO)).extracting(p -> p.key).containsExactly("k1");
  }

  @Test
  void aPartialBatchWaitsForMoreTextsUpToMaxWait() throws Exception {
    var batcher = new MicroBatcher(100);
    try (var exec =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("mb-", 0).factory())) {
      batcher.enqueue(texts(1, 1));
      CompletableFuture<List<PendingText>> taken =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return batcher.take(3, 100, Duration.ofSeconds(10));
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
              },
              exec);
      TimeUnit.MILLISECONDS.sleep(50);
      assertThat(taken).isNotDone();
      batcher.enqueue(
          List.of(
              new PendingText("a", "a", 1, 2, System.nanoTime()),
              new PendingText("b", "b", 1, 2, System.nanoTime())));
      assertThat(taken.get(5, TimeUnit.SECONDS)).hasSize(3);
    }
  }

  @Test
  void enqueueBlocksWhileFullAndShutdownDrainsThenEnds() throws Exception {
    var batcher = new MicroBatcher(2);
    try (var exec =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("mb-", 0).factory())) {
      var producer =
          CompletableFuture.runAsync(
              () -> {
                try {
                  batcher.enqueue(texts(3, 1));
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
              },
              exec);
      TimeUnit.MILLISECONDS.sleep(50);
      assertThat(producer).isNotDone();
      assertThat(batcher.take(1, 10, Duration.ZERO)).hasSize(1);
      producer.get(5, TimeUnit.SECONDS);
      batcher.shutdown();
      assertThat(batcher.awaitNonEmpty()).isTrue();
      assertThat(batcher.take(10, 10, Duration.ZERO)).hasSize(2);
      assertThat(batcher.awaitNonEmpty()).isFalse();
      assertThat(batcher.take(10, 10, Duration.ZERO)).isEmpty();
    }
  }
}
