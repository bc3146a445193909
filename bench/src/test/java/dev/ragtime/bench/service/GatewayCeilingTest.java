package dev.ragtime.bench.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GatewayCeilingTest {
  private static GatewayCeiling ceiling(int rpm, long tpm, int concurrency, int clients) {
    return new GatewayCeiling(
        rpm, tpm, concurrency, Duration.ofMillis(50), Duration.ZERO, 32, clients, 40);
  }

  @Test
  void requestsPerMinuteBindWithFullBatches() {
    // 10 requests/s of 32 texts.
    GatewayCeiling c = ceiling(600, 0, 8, 64);
    assertThat(c.textsPerSecond()).isCloseTo(320, within(1e-9));
    assertThat(c.binding()).isEqualTo("rpm");
  }

  @Test
  void fewerClientsThanABatchMakeSmallerBatches() {
    GatewayCeiling c = ceiling(600, 0, 8, 10); // at most 10 texts wait at once
    assertThat(c.batch()).isEqualTo(10);
    assertThat(c.textsPerSecond()).isCloseTo(100, within(1e-9));
  }

  @Test
  void tokensPerMinuteBindPerText() {
    // 40 tokens a text, 24,000 TPM = 400 tokens/s = 10 texts/s, whatever the batch.
    GatewayCeiling c = ceiling(600, 24_000, 8, 64);
    assertThat(c.textsPerSecond()).isCloseTo(10, within(1e-9));
    assertThat(c.binding()).isEqualTo("tpm");
  }

  @Test
  void withoutRateLimitsConcurrencyAndLatencyBind() {
    // 2 in flight × 32 texts / 50 ms = 1,280 texts/s.
    GatewayCeiling c = ceiling(0, 0, 2, 64);
    assertThat(c.textsPerSecond()).isCloseTo(1_280, within(1e-9));
    assertThat(c.binding()).isEqualTo("concurrency");
  }

  @Test
  void latencyGrowsWithTheTokensOfABatch() {
    var c =
        new GatewayCeiling(0, 0, 1, Duration.ofMillis(40), Duration.ofNanos(10_000), 10, 10, 100);
    // 10 texts × 100 tokens × 10 µs = 10 ms on top of 40 ms: 10 texts per 50 ms.
    assertThat(c.textsPerSecond()).isCloseTo(200, within(1e-9));
  }

  @Test
  void invalidLimitsAreRefusedNamingThem() {
    assertThatThrownBy(() -> ceiling(-1, 0, 8, 64)).hasMessageContaining("rpm");
    assertThatThrownBy(() -> ceiling(600, 0, 0, 64)).hasMessageContaining("concurrency");
    assertThatThrownBy(() -> new GatewayCeiling(1, 0, 1, Duration.ZERO, Duration.ZERO, 1, 1, 0))
        .hasMessageContaining("tokensPerText");
  }
}
