package dev.ragtime.embed;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
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
    batcher.enqueue(texts(1, 1));
    var taken = new AtomicReference<List<PendingText>>();
    Thread taker =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    taken.set(batcher.take(3, 100, Duration.ofHours(1)));
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
    // No sleep: wait until the taker is parked in its linger (or has wrongly returned already).
    awaitParkedOrEnded(taker);
    assertThat(taker.isAlive()).as("take returned a partial batch without lingering").isTrue();
    batcher.enqueue(
        List.of(
            new PendingText("a", "a", 1, 2, System.nanoTime()),
            new PendingText("b", "b", 1, 2, System.nanoTime())));
    taker.join();
    assertThat(taken.get()).extracting(p -> p.text).containsExactly("t0", "a", "b");
  }

  @Test
  void aPartialBatchIsTakenOnceMaxWaitHasPassedSinceTheOldestText() throws Exception {
    var batcher = new MicroBatcher(100);
    // Enqueued an hour ago (by the monotonic clock): the linger is over before take begins.
    long anHourAgo = System.nanoTime() - Duration.ofHours(1).toNanos();
    batcher.enqueue(List.of(new PendingText("old", "old", 1, 1, anHourAgo)));
    assertThat(batcher.take(3, 100, Duration.ofMinutes(1)))
        .extracting(p -> p.text)
        .containsExactly("old");
  }

  @Test
  void enqueueBlocksWhileFullAndShutdownDrainsThenEnds() throws Exception {
    var batcher = new MicroBatcher(2);
    var failure = new AtomicReference<Throwable>();
    Thread producer =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    batcher.enqueue(texts(3, 1));
                  } catch (InterruptedException | RuntimeException e) {
                    failure.set(e);
                  }
                });
    awaitParkedOrEnded(producer);
    assertThat(producer.isAlive()).as("enqueue returned while the queue was full").isTrue();
    assertThat(batcher.size()).isEqualTo(2);
    assertThat(batcher.take(1, 10, Duration.ZERO)).hasSize(1);
    producer.join();
    assertThat(failure.get()).isNull();
    batcher.shutdown();
    assertThat(batcher.awaitNonEmpty()).isTrue();
    assertThat(batcher.take(10, 10, Duration.ZERO)).hasSize(2);
    assertThat(batcher.awaitNonEmpty()).isFalse();
    assertThat(batcher.take(10, 10, Duration.ZERO)).isEmpty();
  }

  /**
   * Returns once {@code thread} is parked (waiting on a lock or condition) or has ended; no clock
   * involved, so a slow machine only makes it take longer.
   */
  private static void awaitParkedOrEnded(Thread thread) {
    while (true) {
      Thread.State state = thread.getState();
      if (state == Thread.State.WAITING
          || state == Thread.State.TIMED_WAITING
          || state == Thread.State.TERMINATED) {
        return;
      }
      Thread.onSpinWait();
    }
  }
}
