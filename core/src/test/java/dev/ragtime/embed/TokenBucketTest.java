package dev.ragtime.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The token bucket's arithmetic, with time passed in (rates chosen so waits are exact). */
class TokenBucketTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static Instant at(long millis) {
    return T0.plusMillis(millis);
  }

  @Test
  void rateAndCapacityMustBePositive() {
    for (double[] bad : new double[][] {{0, 1}, {1, 0}, {Double.NaN, 1}, {1, Double.NaN}}) {
      assertThatThrownBy(() -> new TokenBucket(bad[0], bad[1], 0, T0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("rate and capacity must be positive, were " + bad[0] + " and " + bad[1]);
      var bucket = new TokenBucket(1, 1, 0, T0);
      assertThatThrownBy(() -> bucket.setRate(bad[0], bad[1], T0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("rate and capacity must be positive, were " + bad[0] + " and " + bad[1]);
    }
  }

  @Test
  void theInitialBalanceIsCappedAtTheCapacityAndRefillsAtTheRateUpToIt() {
    var bucket = new TokenBucket(4, 8, 100, T0);
    assertThat(bucket.available(T0)).isEqualTo(8);
    assertThat(bucket.perSecond()).isEqualTo(4);
    assertThat(bucket.capacity()).isEqualTo(8);

    var empty = new TokenBucket(4, 8, 0, T0);
    assertThat(empty.available(at(500))).isEqualTo(2);
    assertThat(empty.available(at(1_250))).isEqualTo(5);
    assertThat(empty.available(at(10_000))).as("capped").isEqualTo(8);
    assertThat(empty.available(at(5_000))).as("a clock going back adds nothing").isEqualTo(8);
  }

  @Test
  void aReservationIsFreeWhileTheBalanceCoversItThenWaitsForTheDebt() {
    var bucket = new TokenBucket(4, 8, 2, T0);
    assertThat(bucket.reserve(2, T0)).as("exactly the balance").isZero();
    assertThat(bucket.reserve(1, T0)).isEqualTo(Duration.ofMillis(250));
    assertThat(bucket.reserve(2, T0))
        .as("behind the earlier debt")
        .isEqualTo(Duration.ofMillis(750));
    assertThat(bucket.available(T0)).isEqualTo(-3);
    assertThat(bucket.reserve(0, at(750))).isZero();
  }

  @Test
  void admittingWaitsForAtMostAFullBucketButChargesTheWholeRequest() {
    var bucket = new TokenBucket(4, 4, 0, T0);
    assertThat(bucket.admit(8, T0))
        .as("waits for a full bucket, not 8 tokens")
        .isEqualTo(Duration.ofSeconds(1));
    assertThat(bucket.available(T0)).isEqualTo(-8);

    var some = new TokenBucket(4, 4, 3, T0);
    assertThat(some.admit(3, T0)).as("exactly the balance").isZero();
    assertThat(some.admit(1, T0)).isEqualTo(Duration.ofMillis(250));
    assertThat(some.available(T0)).isEqualTo(-1);
  }

  @Test
  void untilSaysHowLongWithoutTakingAnything() {
    var bucket = new TokenBucket(4, 8, 2, T0);
    assertThat(bucket.until(2, T0)).isZero();
    assertThat(bucket.until(3, T0)).isEqualTo(Duration.ofMillis(250));
    assertThat(bucket.until(6, T0)).isEqualTo(Duration.ofSeconds(1));
    assertThat(bucket.available(T0)).isEqualTo(2);
  }

  @Test
  void adjustingGivesBackUpToTheCapacityOrCharges() {
    var bucket = new TokenBucket(4, 8, 6, T0);
    bucket.adjust(5, T0);
    assertThat(bucket.available(T0)).isEqualTo(8);
    bucket.adjust(-10, T0);
    assertThat(bucket.available(T0)).isEqualTo(-2);
    bucket.adjust(1, at(250));
    assertThat(bucket.available(at(250))).as("refilled first, then given back").isEqualTo(0);
  }

  @Test
  void clampingLowersTheBalanceButKeepsDebt() {
    var bucket = new TokenBucket(4, 8, 8, T0);
    bucket.clampTo(3, T0);
    assertThat(bucket.available(T0)).isEqualTo(3);
    bucket.clampTo(5, T0);
    assertThat(bucket.available(T0)).as("never raised").isEqualTo(3);
    bucket.reserve(5, T0);
    bucket.clampTo(0, T0);
    assertThat(bucket.available(T0)).isEqualTo(-2);
  }

  @Test
  void aNewRateAppliesFromNowAndTheBalanceIsClampedToTheNewCapacity() {
    var bucket = new TokenBucket(4, 8, 0, T0);
    bucket.setRate(8, 3, at(500)); // 2 tokens earned at the old rate
    assertThat(bucket.available(at(500))).isEqualTo(2);
    assertThat(bucket.perSecond()).isEqualTo(8);
    assertThat(bucket.capacity()).isEqualTo(3);
    assertThat(bucket.available(at(625))).as("one more at the new rate").isEqualTo(3);
    bucket.setRate(8, 1, at(625));
    assertThat(bucket.available(at(625))).isEqualTo(1);
  }
}
