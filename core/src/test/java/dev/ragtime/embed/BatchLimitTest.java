package dev.ragtime.embed;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The learned batch size: shrinks on "too large", grows back, probes past a refusal rarely. */
class BatchLimitTest {

  @Test
  void aRejectionHalvesAndFullSuccessesGrowItBackOneSizePerRound() {
    var limit = new BatchLimit(32);
    limit.onTooLarge(32);
    assertThat(limit.current()).isEqualTo(16);
    limit.onTooLarge(16);
    assertThat(limit.current()).isEqualTo(8);
    // 16 is known too large: growth stops just below it.
    int successes = 0;
    while (limit.current() < 15 && successes < 1_000) {
      limit.onSuccess(limit.current());
      successes++;
    }
    assertThat(limit.current()).isEqualTo(15);
    // One size per round: 8 + 9 + ... + 14 successes.
    assertThat(successes).isEqualTo(8 + 9 + 10 + 11 + 12 + 13 + 14);
    for (int i = 0; i < 2 * BatchLimit.PROBE_AFTER - 1; i++) {
      limit.onSuccess(15);
      assertThat(limit.current()).isLessThanOrEqualTo(16);
    }
  }

  @Test
  void batchesSmallerThanTheLimitSayNothing() {
    var limit = new BatchLimit(32);
    limit.onTooLarge(32);
    for (int i = 0; i < 100; i++) {
      limit.onSuccess(3);
    }
    assertThat(limit.current()).isEqualTo(16);
  }

  @Test
  void aProbeOneSizeTooFarCostsOneSizeNotHalf() {
    // The provider really takes 10: sizes up to 10 were accepted, then 11 is refused.
    var real = new BatchLimit(32);
    real.onTooLarge(32);
    real.onTooLarge(16);
    while (real.current() < 11) {
      real.onSuccess(real.current());
    }
    real.onTooLarge(11);
    assertThat(real.current()).isEqualTo(10);
    assertThat(real.ceiling()).isEqualTo(11);
  }

  @Test
  void afterEnoughSuccessesBelowTheCeilingItProbesAndRecoversFullyWhenTheCapWasRaised() {
    var limit = new BatchLimit(32);
    limit.onTooLarge(32);
    limit.onTooLarge(16);
    limit.onTooLarge(8); // limit 4, ceiling 8
    int successes = 0;
    while (limit.current() < 32 && successes < 10_000) {
      limit.onSuccess(limit.current()); // the provider now accepts everything
      successes++;
    }
    assertThat(limit.current()).isEqualTo(32);
    assertThat(limit.ceiling()).isEqualTo(33);
    // It waited for PROBE_AFTER successes once, then grew a size per round to the maximum.
    assertThat(successes).isLessThan(BatchLimit.PROBE_AFTER + 32 * 32);
  }

  @Test
  void aRefusalOfASizeAcceptedBeforeMeansTheCapWasLowered() {
    var limit = new BatchLimit(8);
    limit.onSuccess(8);
    limit.onTooLarge(8);
    assertThat(limit.current()).isEqualTo(4);
    limit.onTooLarge(4);
    assertThat(limit.current()).isEqualTo(2);
    limit.onTooLarge(1); // a single text says nothing about batches
    assertThat(limit.current()).isEqualTo(2);
  }
}
