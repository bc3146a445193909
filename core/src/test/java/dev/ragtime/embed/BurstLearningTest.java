package dev.ragtime.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ragtime.provider.RateLimitHeaders;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * How {@link RatePacer} learns the burst a provider tolerates, and keeps requests from bunching, on
 * a fake clock. The provider in mind is the short-window one of the pipeline benchmark: 40
 * requests/s and 150,000 tokens/s (RPM 2,400, TPM 9,000,000) enforced over 0.2 s, i.e. buckets of 8
 * requests and 30,000 tokens; requests of 4,800 tokens (0.032 s of token quota each).
 */
class BurstLearningTest {
  private static final int RPM = 2_400;
  private static final int TPM = 9_000_000;
  private static final int REQUEST = 4_800;
  private static final Duration ONE_REQUEST = Duration.ofMillis(32); // 4,800 / 150,000 per s

  private final FakeClock clock = new FakeClock();

  @Test
  void atStartAndAfterIdlingOnlyATenthOfASecondOfQuotaGoesAtOnce() {
    var pacer = new RatePacer(RPM, TPM, clock);
    // 15,000 tokens: three requests of 4,800 go at once, well inside the provider's 30,000
    assertThat(immediate(pacer, 20)).isEqualTo(3);
    clock.advance(Duration.ofSeconds(10)); // idle: the buckets fill up to their burst, no further
    assertThat(immediate(pacer, 20)).isEqualTo(3);
  }

  @Test
  void a429HalvesTheBurstOnceForAllTheRequestsOfOneBurst() {
    var pacer = new RatePacer(RPM, TPM, clock);
    grow(pacer, 0.3); // a long steady run has grown the burst
    assertThat(pacer.bursts()[1]).isCloseTo(0.3, within(0.001));
    clock.advance(Duration.ofSeconds(10));
    List<RatePacer.Reservation> burst = reserve(pacer, 8);
    double[] before = pacer.bursts();
    pacer.rateLimited(burst.get(7));
    assertThat(pacer.bursts()[0]).isEqualTo(before[0] / 2); // both buckets
    assertThat(pacer.bursts()[1]).isEqualTo(before[1] / 2).isCloseTo(0.15, within(0.005));
    // the other 429s of that burst were paced under the old burst: no second halving
    pacer.rateLimited(burst.get(6));
    pacer.rateLimited(burst.get(5));
    assertThat(pacer.bursts()[1]).isEqualTo(before[1] / 2);
    // a request paced after the shrink that still draws a 429: the burst is still too large
    pacer.rateLimited(pacer.reserve(REQUEST));
    assertThat(pacer.bursts()[1]).isCloseTo(0.075, within(0.005));
    // never below the floor
    for (int i = 0; i < 5; i++) {
      pacer.rateLimited(pacer.reserve(REQUEST));
    }
    assertThat(pacer.bursts()).containsExactly(RatePacer.MIN_BURST, RatePacer.MIN_BURST);
  }

  @Test
  void afterA429TheBucketsAreEmptyAndTheShrunkBurstLimitsTheNextIdleBurst() {
    var pacer = new RatePacer(RPM, TPM, clock);
    grow(pacer, 0.3);
    clock.advance(Duration.ofSeconds(10));
    pacer.rateLimited(pacer.reserve(REQUEST));
    // the provider said its bucket is empty: the next request waits for its own quota
    assertThat(pacer.reserve(REQUEST).delay().toNanos())
        .isCloseTo(ONE_REQUEST.toNanos(), within(1_000L));
    clock.advance(Duration.ofSeconds(10));
    // 0.15 s of burst (22,500 tokens): four requests at once, not the nine 0.3 s would allow
    assertThat(immediate(pacer, 20)).isEqualTo(4);
  }

  @Test
  void theBurstGrowsBackByAHundredthOfTheQuotaSent() {
    var pacer = new RatePacer(RPM, TPM, clock);
    pacer.rateLimited(pacer.reserve(REQUEST));
    assertThat(pacer.bursts()[1]).isCloseTo(RatePacer.MIN_BURST, within(0.001));
    // ten seconds of token quota (313 requests) sent at the full rate: a tenth of a second more
    for (int i = 0; i < 313; i++) {
      pacer.reserve(REQUEST);
      clock.advance(ONE_REQUEST);
    }
    assertThat(pacer.bursts()[1]).isCloseTo(0.15, within(0.002));
    grow(pacer, 2.0); // ... and never more than a second
    assertThat(pacer.bursts()).containsExactly(RatePacer.MAX_BURST, RatePacer.MAX_BURST);
  }

  @Test
  void aLearnedBurstSurvivesARateLearnedFromHeaders() {
    var pacer = new RatePacer(0, 0, clock);
    pacer.observe(limits(RPM * 10 / 9, TPM / 9 * 10)); // 90% of these: the benchmark's rates
    assertThat(pacer.tokensPerMinute()).isCloseTo(TPM, within(1.0));
    clock.advance(Duration.ofSeconds(10));
    pacer.rateLimited(pacer.reserve(REQUEST));
    pacer.observe(limits(RPM * 20 / 9, TPM / 9 * 20)); // the account's limit doubled
    clock.advance(Duration.ofSeconds(10));
    // 0.05 s of 300,000 tokens/s = 15,000 tokens: three requests at once, not a second's worth
    assertThat(immediate(pacer, 100)).isEqualTo(3);
  }

  @Test
  void withoutAPacedLimitA429TeachesNothing() {
    var pacer = new RatePacer(0, 0, clock);
    pacer.rateLimited(pacer.reserve(REQUEST));
    assertThat(pacer.bursts()).containsExactly(RatePacer.START_BURST, RatePacer.START_BURST);
  }

  @Test
  void sendersThatWakeTogetherAfterAStallLeaveOneByOne() {
    var pacer = new RatePacer(RPM, TPM, clock);
    List<RatePacer.Reservation> scheduled = reserve(pacer, 10);
    assertThat(scheduled.get(9).delay()).isPositive();
    // on time, every request leaves when its reservation said
    var onTime = new RatePacer(RPM, TPM, clock);
    Duration elapsed = Duration.ZERO;
    for (RatePacer.Reservation r : reserve(onTime, 10)) {
      clock.advance(r.delay().minus(elapsed));
      elapsed = r.delay();
      assertThat(onTime.admit(r)).isLessThan(Duration.ofMillis(1));
    }
    // the process stalled past all ten due times: they would all leave now
    clock.advance(Duration.ofSeconds(1));
    List<Duration> waits = new ArrayList<>();
    for (RatePacer.Reservation r : scheduled) {
      waits.add(pacer.admit(r));
    }
    // a tenth of a second's worth goes at once (three), the rest one request's quota apart
    assertThat(waits.subList(0, 3)).containsOnly(Duration.ZERO);
    assertThat(waits.get(3)).isPositive().isLessThan(ONE_REQUEST);
    for (int i = 4; i < waits.size(); i++) {
      assertThat(waits.get(i).minus(waits.get(i - 1)).toNanos())
          .as("gap before request %d", i)
          .isCloseTo(ONE_REQUEST.toNanos(), within(1_000L));
    }
  }

  @Test
  void aPauseEndsWithRequestsLeavingOneByOneNotAllAtOnce() {
    var pacer = new RatePacer(RPM, TPM, clock);
    clock.advance(Duration.ofSeconds(10)); // buckets full
    pacer.pause(Duration.ofMillis(500));
    List<Duration> delays = reserve(pacer, 5).stream().map(RatePacer.Reservation::delay).toList();
    assertThat(delays.get(0).toNanos())
        .isCloseTo(Duration.ofMillis(500).plus(ONE_REQUEST).toNanos(), within(1_000L));
    for (int i = 1; i < delays.size(); i++) {
      assertThat(delays.get(i).minus(delays.get(i - 1)).toNanos())
          .isCloseTo(ONE_REQUEST.toNanos(), within(1_000L));
    }
  }

  @Test
  void aRequestLargerThanTheBucketIsAdmittedWhenTheBucketIsFull() {
    var bucket = new TokenBucket(1_000, 100, 100, clock.instant()); // 1,000 tokens/s, holds 100
    assertThat(bucket.admit(500, clock.instant())).isZero(); // full: admitted, 400 in debt
    // the next one waits until the bucket holds its 50 again: 450 tokens of refill
    assertThat(bucket.admit(50, clock.instant()).toNanos())
        .isCloseTo(Duration.ofMillis(450).toNanos(), within(1_000L));
    assertThat(bucket.capacity()).isEqualTo(100);
  }

  /**
   * Reserves requests of {@link #REQUEST} tokens at one instant; counts those that need no wait.
   */
  private static int immediate(RatePacer pacer, int n) {
    return (int) reserve(pacer, n).stream().filter(r -> r.delay().isZero()).count();
  }

  private static List<RatePacer.Reservation> reserve(RatePacer pacer, int n) {
    List<RatePacer.Reservation> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(pacer.reserve(REQUEST));
    }
    return out;
  }

  /** Sends at the full token rate, without 429s, until the token burst reaches {@code target}. */
  private void grow(RatePacer pacer, double target) {
    for (int i = 0; i < 100_000 && pacer.bursts()[1] < target - 1e-9; i++) {
      pacer.reserve(REQUEST);
      clock.advance(ONE_REQUEST);
    }
  }

  private static RateLimitHeaders limits(long requestsPerMinute, long tokensPerMinute) {
    return new RateLimitHeaders(
        OptionalLong.of(requestsPerMinute),
        OptionalLong.empty(),
        Optional.empty(),
        OptionalLong.of(tokensPerMinute),
        OptionalLong.empty(),
        Optional.empty());
  }
}
