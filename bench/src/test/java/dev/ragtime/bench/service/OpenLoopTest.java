package dev.ragtime.bench.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OpenLoopTest {

  @Test
  void everyCallDueInTheRunIsStartedOnceAndRecorded() throws Exception {
    var seen = ConcurrentHashMap.<Long>newKeySet();
    ClosedLoop.Run run =
        OpenLoop.run(1_000, 4, Duration.ofMillis(50), (client, seq) -> seen.add(seq));

    assertThat(seen).hasSize(50).allMatch(s -> s >= 0 && s < 50);
    assertThat(run.recording().endNanos()).hasSize(50);
    assertThat(java.util.Arrays.stream(run.recording().latencyNanos()).allMatch(l -> l >= 0))
        .isTrue();
    assertThat(run.recording().failed()).isZero();
  }

  @Test
  void noMoreThanTheClientsAreInProgress() throws Exception {
    // Calls 0 and 1 wait for each other, so two are in progress at once; the bound keeps it at two.
    var inProgress = new AtomicInteger();
    var most = new AtomicInteger();
    var firstTwo = new CountDownLatch(2);
    ClosedLoop.Run run =
        OpenLoop.run(
            1_000,
            2,
            Duration.ofMillis(20),
            (client, seq) -> {
              most.accumulateAndGet(inProgress.incrementAndGet(), Math::max);
              try {
                if (seq < 2) {
                  firstTwo.countDown();
                  firstTwo.await();
                }
              } finally {
                inProgress.decrementAndGet();
              }
            });

    assertThat(most.get()).isEqualTo(2);
    assertThat(run.recording().endNanos()).hasSize(20);
  }

  @Test
  void aCallThatWaitsForAClientCountsTheWaitInItsLatency() throws Exception {
    // One client; call 0 holds it for at least 30 ms, so call 1, due 1 ms after the start, cannot
    // start before 30 ms: measured from when it was due, it took at least 29 ms.
    ClosedLoop.Run run =
        OpenLoop.run(
            1_000,
            1,
            Duration.ofMillis(2),
            (client, seq) -> {
              if (seq == 0) {
                Thread.sleep(30);
              }
            });

    long[] latencies = run.recording().latencyNanos();
    assertThat(latencies).hasSize(2);
    assertThat(latencies[0]).isGreaterThanOrEqualTo(30_000_000L);
    assertThat(latencies[1]).isGreaterThanOrEqualTo(29_000_000L);
  }

  @Test
  void failuresAreCountedNotRecorded() throws Exception {
    ClosedLoop.Run run =
        OpenLoop.run(
            1_000,
            4,
            Duration.ofMillis(10),
            (client, seq) -> {
              if (seq % 2 == 0) {
                throw new IllegalStateException("boom " + seq);
              }
            });

    assertThat(run.recording().endNanos()).hasSize(5);
    assertThat(run.recording().failed()).isEqualTo(5);
    assertThat(run.firstFailure()).hasValueSatisfying(f -> assertThat(f).contains("boom"));
  }

  @Test
  void theScheduleIsEvenAndItsLengthFollowsRateAndDuration() {
    assertThat(OpenLoop.scheduled(300, Duration.ofSeconds(30))).isEqualTo(9_000);
    assertThat(OpenLoop.scheduled(3, Duration.ofMillis(500))).isEqualTo(2);
    assertThat(OpenLoop.dueOffsetNanos(0, 300)).isZero();
    assertThat(OpenLoop.dueOffsetNanos(300, 300)).isEqualTo(1_000_000_000L);
    assertThat(OpenLoop.dueOffsetNanos(1, 4)).isEqualTo(250_000_000L);
  }

  @Test
  void badArgumentsAreRefusedNamingTheValue() {
    assertThatThrownBy(() -> OpenLoop.run(0, 1, Duration.ofSeconds(1), (c, s) -> {}))
        .hasMessageContaining("rate")
        .hasMessageContaining("0.0");
    assertThatThrownBy(() -> OpenLoop.run(10, 0, Duration.ofSeconds(1), (c, s) -> {}))
        .hasMessageContaining("clients must be positive, was 0");
  }
}
