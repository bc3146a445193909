package dev.ragtime.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.ragtime.provider.RateLimitHeaders;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PacingAndLimitsTest {

  @Test
  void tokenBucketStartsWithTheGivenSmallBalanceAndThenPacesEvenly() {
    var clock = new FakeClock();
    var bucket = new TokenBucket(10, 10, 1, clock.instant());
    assertThat(bucket.reserve(1, clock.instant())).isZero();
    assertThat(bucket.reserve(1, clock.instant())).isEqualTo(Duration.ofMillis(100));
    assertThat(bucket.reserve(1, clock.instant())).isEqualTo(Duration.ofMillis(200));
    clock.advance(Duration.ofMillis(300));
    assertThat(bucket.reserve(1, clock.instant())).isZero();
  }

  @Test
  void oversizedReservationGoesIntoDebtSoTheNextCallerWaits() {
    var clock = new FakeClock();
    var bucket = new TokenBucket(100, 100, 100, clock.instant());
    assertThat(bucket.reserve(300, clock.instant())).isEqualTo(Duration.ofSeconds(2));
    assertThat(bucket.reserve(50, clock.instant())).isEqualTo(Duration.ofMillis(2500));
  }

  @Test
  void pacerNeverBurstsAMinutesQuotaAtStart() {
    var clock = new FakeClock();
    var pacer = new RatePacer(600, 0, clock); // 10 requests per second
    int immediate = 0;
    for (int i = 0; i < 600; i++) {
      if (pacer.reserve(1).delay().isZero()) {
        immediate++;
      }
    }
    assertThat(immediate).isLessThanOrEqualTo(3);
    // The 600th request of the minute is scheduled about a minute out, not now.
    assertThat(pacer.reserve(1).delay()).isGreaterThan(Duration.ofSeconds(59));
  }

  @Test
  void pacerHonoursTheTokensPerMinuteLimit() {
    var clock = new FakeClock();
    var pacer = new RatePacer(0, 60_000, clock); // 1000 tokens per second
    Duration last = Duration.ZERO;
    for (int i = 0; i < 10; i++) {
      last = pacer.reserve(1_000).delay();
    }
    assertThat(last).isBetween(Duration.ofMillis(9_500), Duration.ofMillis(10_000));
  }

  @Test
  void pacerLearnsLimitsFromHeadersAndSlowsDownWhenNothingRemains() {
    var clock = new FakeClock();
    var pacer = new RatePacer(0, 0, clock);
    assertThat(pacer.reserve(10).delay()).isZero();
    pacer.observe(
        new RateLimitHeaders(
            OptionalLong.of(120),
            OptionalLong.of(0),
            Optional.of(Duration.ofSeconds(1)),
            OptionalLong.empty(),
            OptionalLong.empty(),
            Optional.empty()));
    assertThat(pacer.requestsPerMinute()).isEqualTo(120 * RatePacer.LEARNED_SHARE);
    // Nothing remains: the next request waits for a refill instead of drawing a 429.
    assertThat(pacer.reserve(10).delay()).isPositive();
  }

  @Test
  void anUnconfiguredRateFollowsReportedLimitsDownAndUpAtNinetyPercent() {
    var clock = new FakeClock();
    var pacer = new RatePacer(0, 0, clock);
    pacer.observe(limits(1_000, 100_000));
    assertThat(pacer.requestsPerMinute()).isCloseTo(900, within(1e-6));
    assertThat(pacer.tokensPerMinute()).isCloseTo(90_000, within(1e-6));
    pacer.observe(limits(500, 50_000));
    assertThat(pacer.requestsPerMinute()).isCloseTo(450, within(1e-6));
    pacer.observe(limits(2_000, 200_000));
    assertThat(pacer.requestsPerMinute()).isCloseTo(1_800, within(1e-6));
    assertThat(pacer.tokensPerMinute()).isCloseTo(180_000, within(1e-6));
  }

  @Test
  void aConfiguredRateIsLoweredToAReportedLimitButNeverRaisedAboveTheConfiguredValue() {
    var clock = new FakeClock();
    var pacer = new RatePacer(1_000, 100_000, clock);
    pacer.observe(limits(600, 60_000)); // the provider's hard limit is below ours: adopt it
    assertThat(pacer.requestsPerMinute()).isCloseTo(600, within(1e-6));
    assertThat(pacer.tokensPerMinute()).isCloseTo(60_000, within(1e-6));
    pacer.observe(limits(5_000, 500_000)); // more headroom: back to the configured ceiling only
    assertThat(pacer.requestsPerMinute()).isCloseTo(1_000, within(1e-6));
    assertThat(pacer.tokensPerMinute()).isCloseTo(100_000, within(1e-6));
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

  @Test
  void retryAfterPausesEveryone() {
    var clock = new FakeClock();
    var pacer = new RatePacer(0, 0, clock);
    pacer.pause(Duration.ofSeconds(3));
    assertThat(pacer.holdRemaining()).isEqualTo(Duration.ofSeconds(3));
    var reservation = pacer.reserve(1);
    assertThat(reservation.delay()).isEqualTo(Duration.ofSeconds(3));
    assertThat(reservation.held()).isTrue();
    clock.advance(Duration.ofSeconds(3));
    assertThat(pacer.reserve(1).delay()).isZero();
    assertThat(pacer.holdRemaining()).isZero();
  }

  @Test
  void aRetryAfterLongerThanAMinuteIsHonouredForAMinute() {
    var clock = new FakeClock();
    var pacer = new RatePacer(0, 0, clock);
    pacer.pause(Duration.ofDays(1));
    assertThat(pacer.reserve(1).delay()).isEqualTo(RatePacer.MAX_HOLD);
    clock.advance(RatePacer.MAX_HOLD);
    assertThat(pacer.holdRemaining()).isZero();
  }

  @Test
  void ownPacingIsNotAHoldTheProviderOrdered() {
    var clock = new FakeClock();
    var pacer = new RatePacer(60, 0, clock); // one request per second, one available at start
    pacer.reserve(1);
    var second = pacer.reserve(1);
    assertThat(second.delay()).isEqualTo(Duration.ofSeconds(1));
    assertThat(second.held()).isFalse();
    assertThat(pacer.holdRemaining()).isZero();
  }

  @Test
  void noRequestsRemainingHoldsEveryoneUntilTheReportedResetWhenTheLimitIsUnknown() {
    var clock = new FakeClock();
    var pacer = new RatePacer(0, 0, clock);
    pacer.observe(
        headers(OptionalLong.empty(), OptionalLong.of(0), Duration.ofSeconds(3), null, null, null));
    assertThat(pacer.holdRemaining()).isEqualTo(Duration.ofSeconds(3));
    var reservation = pacer.reserve(10);
    assertThat(reservation.delay()).isEqualTo(Duration.ofSeconds(3));
    assertThat(reservation.held()).isTrue();
    clock.advance(Duration.ofSeconds(3));
    assertThat(pacer.reserve(10).delay()).isZero(); // the report has expired: quota is back
  }

  @Test
  void tokensRemainingThatDoNotCoverTheNextRequestHoldItUntilTheReset() {
    var clock = new FakeClock();
    var pacer = new RatePacer(0, 0, clock);
    pacer.observe(
        headers(
            null, null, null, OptionalLong.empty(), OptionalLong.of(100), Duration.ofSeconds(2)));
    assertThat(pacer.reserve(60).delay()).isZero(); // 60 of the 100 left
    assertThat(pacer.holdRemaining()).isZero(); // one more token would still fit
    assertThat(pacer.reserve(60).delay()).isEqualTo(Duration.ofSeconds(2)); // 120 > 100
    assertThat(pacer.holdRemaining()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void withTheLimitReportedTheQuotaIsTakenToRefillEvenlyUntilTheReset() {
    var clock = new FakeClock();
    var pacer = new RatePacer(0, 0, clock);
    // A daily quota, exhausted: 14,400 requests back over 3 hours, one every 0.75 s.
    pacer.observe(
        headers(
            OptionalLong.of(14_400), OptionalLong.of(0), Duration.ofHours(3), null, null, null));
    assertThat(pacer.reserve(1).delay()).isEqualTo(Duration.ofMillis(750));
    assertThat(pacer.reserve(1).delay()).isEqualTo(Duration.ofMillis(1_500));
  }

  @Test
  void aResetLongerThanAMinuteHoldsForAMinuteAtMost() {
    var clock = new FakeClock();
    var pacer = new RatePacer(0, 0, clock);
    pacer.observe(
        headers(OptionalLong.empty(), OptionalLong.of(0), Duration.ofHours(2), null, null, null));
    assertThat(pacer.reserve(1).delay()).isEqualTo(RatePacer.MAX_HOLD);
    clock.advance(RatePacer.MAX_HOLD);
    assertThat(pacer.holdRemaining()).isZero();
    assertThat(pacer.reserve(1).delay()).isZero();
  }

  @Test
  void aCancelledReservationGivesItsQuotaBackToTheProvidersLedger() {
    var clock = new FakeClock();
    var pacer = new RatePacer(0, 0, clock);
    // 100 requests refilling over 100 s: the n-th request beyond the report waits n seconds.
    pacer.observe(
        headers(
            OptionalLong.of(100), OptionalLong.of(0), Duration.ofSeconds(100), null, null, null));
    assertThat(pacer.reserve(1).delay()).isEqualTo(Duration.ofSeconds(1));
    var second = pacer.reserve(1);
    assertThat(second.delay()).isEqualTo(Duration.ofSeconds(2));
    pacer.cancel(second);
    assertThat(pacer.reserve(1).delay()).isEqualTo(Duration.ofSeconds(2)); // not 3: no ghost
  }

  /** Headers with only the given fields; {@code null} leaves a field out. */
  private static RateLimitHeaders headers(
      OptionalLong limitRequests,
      OptionalLong remainingRequests,
      Duration resetRequests,
      OptionalLong limitTokens,
      OptionalLong remainingTokens,
      Duration resetTokens) {
    return new RateLimitHeaders(
        limitRequests == null ? OptionalLong.empty() : limitRequests,
        remainingRequests == null ? OptionalLong.empty() : remainingRequests,
        Optional.ofNullable(resetRequests),
        limitTokens == null ? OptionalLong.empty() : limitTokens,
        remainingTokens == null ? OptionalLong.empty() : remainingTokens,
        Optional.ofNullable(resetTokens));
  }

  @Test
  void aCancelledReservationGivesItsQuotaBackToTheBuckets() {
    var clock = new FakeClock();
    var pacer = new RatePacer(60, 0, clock); // one request per second, one available at start
    assertThat(pacer.reserve(1).delay()).isZero();
    var second = pacer.reserve(1);
    assertThat(second.delay()).isEqualTo(Duration.ofSeconds(1));
    pacer.cancel(second);
    assertThat(pacer.reserve(1).delay()).isEqualTo(Duration.ofSeconds(1)); // not 2: no ghost
  }

  @Test
  void aimdShrinksMultiplicativelyOnDropsAndGrowsAdditivelyWhenUsed() {
    var limit = new AimdLimit(8, 8, 0.5, Duration.ofSeconds(5));
    assertThat(limit.onSample(Duration.ofMillis(10), 8, true)).isEqualTo(4);
    assertThat(limit.onSample(Duration.ofMillis(10), 4, true)).isEqualTo(2);
    assertThat(limit.onSample(Duration.ofMillis(10), 2, true)).isEqualTo(1);
    assertThat(limit.onSample(Duration.ofMillis(10), 1, true)).isEqualTo(1);
    assertThat(limit.onSample(Duration.ofMillis(10), 1, false)).isEqualTo(2);
    // growth needs about one success per unit of limit
    assertThat(limit.onSample(Duration.ofMillis(10), 2, false)).isEqualTo(2);
    assertThat(limit.onSample(Duration.ofMillis(10), 2, false)).isEqualTo(3);
    // idle capacity (few in flight) does not grow the limit
    assertThat(limit.onSample(Duration.ofMillis(10), 1, false)).isEqualTo(3);
    // a slow response counts as a drop
    assertThat(limit.onSample(Duration.ofSeconds(6), 3, false)).isEqualTo(1);
  }

  @Test
  void aimdNeverExceedsItsMaximum() {
    var limit = new AimdLimit(1, 3, 0.75, Duration.ofSeconds(5));
    for (int i = 0; i < 100; i++) {
      limit.onSample(Duration.ofMillis(1), limit.limit(), false);
    }
    assertThat(limit.limit()).isEqualTo(3);
    assertThatThrownBy(() -> new AimdLimit(1, 3, 0.2, Duration.ofSeconds(1)))
        .hasMessageContaining("0.2");
  }

  @Test
  void limiterAdmitsNoMoreThanTheLimitAtOnce() throws Exception {
    var limiter = new AdaptiveLimiter(new AimdLimit(2, 2, 0.75, Duration.ofSeconds(5)));
    var peak = new AtomicInteger();
    var current = new AtomicInteger();
    // The first two holders wait for each other, so two permits are held at once for certain;
    // a third holder at that moment would show as a peak of 3.
    var twoHolders = new CountDownLatch(2);
    try (var exec =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("lim-", 0).factory())) {
      for (int i = 0; i < 20; i++) {
        exec.execute(
            () -> {
              try {
                var permit = limiter.acquire();
                peak.accumulateAndGet(current.incrementAndGet(), Math::max);
                twoHolders.countDown();
                twoHolders.await();
                current.decrementAndGet();
                permit.success(Duration.ofMillis(2));
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
      }
    }
    assertThat(peak.get()).isEqualTo(2);
    assertThat(limiter.inFlight()).isZero();
  }

  @Test
  void fullJitterStaysUnderTheExponentialCeiling() {
    var backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2));
    var random = new SplittableRandom(7);
    for (int attempt = 1; attempt <= 10; attempt++) {
      long ceiling = Math.min(2000, 100L << (attempt - 1));
      for (int i = 0; i < 50; i++) {
        assertThat(backoff.delay(attempt, Optional.empty(), random))
            .isBetween(Duration.ZERO, Duration.ofMillis(ceiling));
      }
    }
  }

  @Test
  void backoffWaitsAtLeastWhatRetryAfterAsks() {
    var backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2));
    var random = new SplittableRandom(7);
    for (int i = 0; i < 50; i++) {
      assertThat(backoff.delay(1, Optional.of(Duration.ofSeconds(30)), random))
          .isEqualTo(Duration.ofSeconds(30));
    }
  }
}
