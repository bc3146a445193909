package dev.ragtime.bench.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RecordingTest {
  private static final long MS = 1_000_000;

  @Test
  void aWindowCountsOnlyTheCallsThatEndedInItAndTakesNearestRankPercentiles() {
    // 100 calls ending at 0..99 ms, taking 1..100 ms; one more ending at 100 ms (outside).
    long[] ends = new long[101];
    long[] latencies = new long[101];
    for (int i = 0; i < 101; i++) {
      ends[i] = i * MS;
      latencies[i] = (i + 1) * MS;
    }
    latencies[100] = 10_000 * MS;
    Recording.Window w = new Recording(ends, latencies, 3).window(0, 100 * MS);

    assertThat(w.completed()).isEqualTo(100);
    assertThat(w.seconds()).isEqualTo(0.1);
    assertThat(w.perSecond()).isEqualTo(1_000.0);
    assertThat(w.p50Ms()).isEqualTo(50.0);
    assertThat(w.p99Ms()).isEqualTo(99.0);
    assertThat(w.maxMs()).isEqualTo(100.0); // the 10 s call ended after the window
  }

  @Test
  void aWindowWithoutCallsHasNoLatencies() {
    Recording.Window w = new Recording(new long[] {5 * MS}, new long[] {MS}, 0).window(0, MS);
    assertThat(w.completed()).isZero();
    assertThat(w.perSecond()).isZero();
    assertThat(w.p99Ms()).isNaN();
  }

  @Test
  void mismatchedArraysAndEmptyWindowsAreRefused() {
    assertThatThrownBy(() -> new Recording(new long[1], new long[2], 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Recording(new long[0], new long[0], 0).window(5, 5))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
