package dev.ragtime.embed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ragtime.provider.RateLimitHeaders;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * {@link RatePacer} with one limit at a time, on a fake clock: a burst learned on the request or on
 * the token limit alone changes what that bucket lets through, the buckets that pace departures
 * follow it, and corrections, cancellations and reported counts move the right bucket by the right
 * amount.
 */
class RatePacerTest {
  private final FakeClock clock = new FakeClock();

  /** 600 requests a minute: ten a second, one every 100 ms; a 0.1 s burst is one request. */
  private RatePacer requestsOnly() {
    return new RatePacer(600, 0, clock);
  }

  /** 60,000 tokens a minute: 1,000 a second; a 0.1 s burst is 100 tokens. */
  private RatePacer tokensOnly() {
    return new RatePacer(0, 60_000, clock);
  }

  /**
   * Sends {@code n} requests of {@code tokens} at the paced rate (each leaves when its reservation
   * and its departure allow), then idles for ten seconds.
   */
  private void sendSteadily(RatePacer pacer, int n, int tokens) {
    for (int i = 0; i < n; i++) {
      var r = pacer.reserve(tokens);
      clock.advance(r.delay());
      clock.advance(pacer.admit(r));
    }
    clock.advance(Duration.ofSeconds(10));
  }

  /** Reserves and admits requests at one instant; counts those that leave at once. */
  private static int leaveAtOnce(RatePacer pacer, int n, int tokens) {
    int count = 0;
    for (int i = 0; i < n; i++) {
      var r = pacer.reserve(tokens);
      if (r.delay().isZero()) {
        assertThat(pacer.admit(r)).as("departure %d", i).isZero();
        count++;
      }
    }
    return count;
  }

  @Test
  void aBurstLearnedOnTheRequestLimitAloneWidensThatBucketAndItsDepartures() {
    var pacer = requestsOnly();
    assertThat(pacer.tokensPerMinute()).isZero();
    // Each request grows the burst by 0.01 / 10 s: 450 of them take it from 0.1 s to 0.55 s.
    sendSteadily(pacer, 450, 1);
    assertThat(pacer.bursts()[0]).isBetween(0.549, 0.551);
    assertThat(leaveAtOnce(pacer, 10, 1)).isEqualTo(5); // 5.5 requests of burst

    // A 429 halves it (0.275 s: 2.75 requests) and empties the bucket.
    clock.advance(Duration.ofSeconds(10));
    pacer.rateLimited(pacer.reserve(1));
    assertThat(pacer.reserve(1).delay()).isPositive();
    clock.advance(Duration.ofSeconds(10));
    assertThat(leaveAtOnce(pacer, 10, 1)).isEqualTo(2);
  }

  @Test
  void aBurstLearnedOnTheTokenLimitAloneWidensThatBucketAndItsDepartures() {
    var pacer = tokensOnly();
    assertThat(pacer.requestsPerMinute()).isZero();
    // 100 tokens a request grow the burst by 0.01 × 100 / 1,000 = 0.001 s each.
    sendSteadily(pacer, 450, 100);
    assertThat(pacer.bursts()[1]).isBetween(0.549, 0.551);
    assertThat(leaveAtOnce(pacer, 10, 100)).isEqualTo(5); // 550 tokens of burst

    clock.advance(Duration.ofSeconds(10));
    pacer.rateLimited(pacer.reserve(100));
    clock.advance(Duration.ofSeconds(10));
    assertThat(leaveAtOnce(pacer, 10, 100)).isEqualTo(2); // 275 tokens
  }

  @Test
  void aSecond429ForTheLastRequestBeforeAShrinkDoesNotShrinkAgain() {
    var pacer = requestsOnly();
    sendSteadily(pacer, 450, 1);
    var last = pacer.reserve(1);
    pacer.rateLimited(last);
    double halved = pacer.bursts()[0];
    pacer.rateLimited(last);
    assertThat(pacer.bursts()[0]).isEqualTo(halved);
    var after = pacer.reserve(1); // reserved after the shrink (and growing the burst a little)
    double grown = pacer.bursts()[0];
    pacer.rateLimited(after);
    assertThat(pacer.bursts()[0]).isEqualTo(grown / 2);
  }

  @Test
  void aCancelledReservationGivesItsTokensBackToTheTokenBucketAndItsLedger() {
    var pacer = tokensOnly();
    assertThat(pacer.reserve(100).delay()).isZero(); // the whole 100-token burst
    var second = pacer.reserve(100);
    assertThat(second.delay()).isEqualTo(Duration.ofMillis(100));
    pacer.cancel(second);
    assertThat(pacer.reserve(100).delay()).isEqualTo(Duration.ofMillis(100)); // not 200 ms

    // The provider reports 150 tokens left until a reset in 10 s (no limit given).
    clock.advance(Duration.ofSeconds(10));
    pacer.observe(
        new RateLimitHeaders(
            OptionalLong.empty(),
            OptionalLong.empty(),
            Optional.empty(),
            OptionalLong.empty(),
            OptionalLong.of(150),
            Optional.of(Duration.ofSeconds(10))));
    var taken = pacer.reserve(100);
    assertThat(taken.held()).isFalse();
    pacer.cancel(taken);
    assertThat(pacer.reserve(100).held()).as("the ledger got its 100 back").isFalse();
    assertThat(pacer.reserve(100).held()).as("now 200 of 150").isTrue();
  }

  @Test
  void theTokenCountTheProviderReportsCorrectsTheEstimateBothWays() {
    var pacer = tokensOnly();
    pacer.reserve(100);
    pacer.reserve(100); // 100 tokens in debt
    pacer.correctTokens(100, 40); // the second request had 40: 60 back, 40 in debt
    assertThat(pacer.reserve(60).delay()).isEqualTo(Duration.ofMillis(100));

    var other = tokensOnly();
    other.reserve(100);
    other.correctTokens(50, 150); // 100 more than estimated: 100 in debt
    assertThat(other.reserve(1).delay()).isEqualTo(Duration.ofMillis(101));
    other.correctTokens(70, 70); // as estimated: nothing changes
    assertThat(other.reserve(1).delay()).isEqualTo(Duration.ofMillis(102));
  }

  @Test
  void aReportedLimitOfZeroIsIgnored() {
    var pacer = new RatePacer(0, 0, clock);
    pacer.observe(
        new RateLimitHeaders(
            OptionalLong.of(0),
            OptionalLong.empty(),
            Optional.empty(),
            OptionalLong.of(0),
            OptionalLong.empty(),
            Optional.empty()));
    assertThat(pacer.requestsPerMinute()).isZero();
    assertThat(pacer.tokensPerMinute()).isZero();
    assertThat(pacer.reserve(1_000_000).delay()).isZero();
  }

  @Test
  void nothingRemainingEmptiesTheBucketEvenWithoutAReset() {
    var requests = requestsOnly();
    requests.observe(
        new RateLimitHeaders(
            OptionalLong.empty(),
            OptionalLong.of(0),
            Optional.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            Optional.empty()));
    var r = requests.reserve(1);
    assertThat(r.delay()).isEqualTo(Duration.ofMillis(100));
    assertThat(r.held()).as("no reset reported: our own pacing, not a hold").isFalse();

    var tokens = tokensOnly();
    tokens.observe(
        new RateLimitHeaders(
            OptionalLong.empty(),
            OptionalLong.empty(),
            Optional.empty(),
            OptionalLong.empty(),
            OptionalLong.of(0),
            Optional.empty()));
    assertThat(tokens.reserve(100).delay()).isEqualTo(Duration.ofMillis(100));
  }

  @Test
  void departuresFollowARateLearnedFromHeadersEvenWhenTheBurstStaysOneRequest() {
    var pacer = new RatePacer(60, 0, clock); // one request a second; a burst of one request
    var first = pacer.reserve(1);
    assertThat(pacer.admit(first)).isZero();
    // The provider reports 30 a minute: half the rate, and still a burst of one request.
    pacer.observe(
        new RateLimitHeaders(
            OptionalLong.of(30),
            OptionalLong.empty(),
            Optional.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            Optional.empty()));
    assertThat(pacer.requestsPerMinute()).isEqualTo(30);
    // A request that leaves right after the first one waits for the new rate's interval.
    assertThat(pacer.admit(pacer.reserve(1))).isEqualTo(Duration.ofSeconds(2));
  }
}
