package dev.ragtime.embed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ragtime.embed.AttemptPolicy.BreakersOpen;
import dev.ragtime.embed.AttemptPolicy.Decision;
import dev.ragtime.embed.AttemptPolicy.Fail;
import dev.ragtime.embed.AttemptPolicy.Failed;
import dev.ragtime.embed.AttemptPolicy.Isolate;
import dev.ragtime.embed.AttemptPolicy.NoPermit;
import dev.ragtime.embed.AttemptPolicy.Paced;
import dev.ragtime.embed.AttemptPolicy.Proceed;
import dev.ragtime.embed.AttemptPolicy.Retry;
import dev.ragtime.embed.AttemptPolicy.Split;
import dev.ragtime.embed.AttemptPolicy.State;
import dev.ragtime.embed.AttemptPolicy.Succeeded;
import dev.ragtime.embed.AttemptPolicy.WaitForBreaker;
import dev.ragtime.provider.BatchTooLargeException;
import dev.ragtime.provider.DeadlineExceededException;
import dev.ragtime.provider.InputTooLongException;
import dev.ragtime.provider.MalformedResponseException;
import dev.ragtime.provider.ProviderRejectedException;
import dev.ragtime.provider.ProviderUnavailableException;
import dev.ragtime.provider.RateLimitedException;
import java.time.Duration;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The attempt policy on a fake clock: no HTTP, no threads. */
class AttemptPolicyTest {
  private final FakeClock clock = new FakeClock();
  private final AttemptPolicy policy =
      new AttemptPolicy(
          3, true, Duration.ofSeconds(60), Backoff.DEFAULT, clock, new SplittableRandom(7));

  private State fresh(int size) {
    return State.start(size, clock.instant().plus(Duration.ofSeconds(60)));
  }

  private static ProviderUnavailableException status(int status) {
    return new ProviderUnavailableException(
        "HTTP " + status, status, "e", Optional.empty(), false, null);
  }

  @Test
  void anOpenBreakerIsWaitedOutNotCountedAsAnAttempt() {
    State s = fresh(4);
    Decision d = policy.next(new BreakersOpen(Duration.ofSeconds(10), "http://a:1"), s);
    assertThat(d).isEqualTo(new WaitForBreaker(Duration.ofSeconds(10)));
    // However often it happens, the budget of failed attempts is untouched: the next 5xx is the
    // first failed attempt, retried.
    for (int i = 0; i < 10; i++) {
      assertThat(policy.next(new BreakersOpen(Duration.ofSeconds(1), "x"), s))
          .isInstanceOf(WaitForBreaker.class);
    }
    Decision after = policy.next(new Failed(status(502)), s);
    assertThat(after).isInstanceOf(Retry.class);
    assertThat(((Retry) after).next().attempts()).isEqualTo(1);
  }

  @Test
  void aHalfOpenBreakerWithoutFreeTrialCallsIsPolledNotSpunOn() {
    Decision d = policy.next(new BreakersOpen(Duration.ZERO, "x"), fresh(1));
    assertThat(d).isEqualTo(new WaitForBreaker(AttemptPolicy.BREAKER_POLL));
  }

  @Test
  void anOpenBreakerThatHalfOpensOnlyAfterTheDeadlineFailsRetryablyNamingTheBreaker() {
    State s = fresh(1);
    clock.advance(Duration.ofSeconds(55));
    Decision d = policy.next(new BreakersOpen(Duration.ofSeconds(10), "http://a:1"), s);
    assertThat(d).isInstanceOf(Fail.class);
    var cause = ((Fail) d).cause();
    assertThat(cause).isInstanceOf(DeadlineExceededException.class);
    assertThat(cause.getMessage()).contains("circuit breaker is open", "http://a:1");
    assertThat(cause.retryable()).isTrue();
  }

  @Test
  void serverErrorsCountAgainstMaxAttemptsButRateLimitsDoNot() {
    State s = fresh(2);
    for (int i = 0; i < 5; i++) {
      Decision d =
          policy.next(new Failed(new RateLimitedException("429", "e", Optional.empty())), s);
      assertThat(d).isInstanceOf(Retry.class);
      s = ((Retry) d).next();
    }
    assertThat(s.attempts()).isZero();
    assertThat(s.failures()).isEqualTo(5);
    s = ((Retry) policy.next(new Failed(status(500)), s)).next();
    s = ((Retry) policy.next(new Failed(status(503)), s)).next();
    Decision third = policy.next(new Failed(status(502)), s);
    assertThat(third).isInstanceOf(Fail.class);
    assertThat(((Fail) third).cause())
        .isInstanceOf(DeadlineExceededException.class)
        .hasMessageContaining("3 failed attempts")
        .hasCauseInstanceOf(ProviderUnavailableException.class);
  }

  @Test
  void aRetryAfterIsWaitedAtLeastAndARetryPastTheDeadlineFails() {
    State s = fresh(1);
    Decision d =
        policy.next(
            new Failed(new RateLimitedException("429", "e", Optional.of(Duration.ofSeconds(7)))),
            s);
    assertThat(((Retry) d).delay()).isGreaterThanOrEqualTo(Duration.ofSeconds(7));
    clock.advance(Duration.ofSeconds(50));
    Decision late =
        policy.next(
            new Failed(new RateLimitedException("429", "e", Optional.of(Duration.ofSeconds(20)))),
            s);
    assertThat(((Fail) late).cause())
        .isInstanceOf(DeadlineExceededException.class)
        .hasMessageContaining("would pass before the next attempt");
  }

  @Test
  void tooLargeSplitsButOneInputTooLongOrABadInputIsolatesWithoutShrinking() {
    var tooLarge = new BatchTooLargeException("too many inputs", 400, "e", 8);
    var tooLong = new InputTooLongException("context length", 400, "e", 8);
    var invalid = new ProviderRejectedException("invalid input", 400, "e");
    assertThat(policy.next(new Failed(tooLarge), fresh(8))).isInstanceOf(Split.class);
    assertThat(policy.next(new Failed(tooLong), fresh(8))).isInstanceOf(Isolate.class);
    assertThat(policy.next(new Failed(invalid), fresh(8))).isInstanceOf(Isolate.class);
    // A single text cannot be split or isolated further: it fails, and only it.
    assertThat(policy.next(new Failed(tooLarge), fresh(1))).isEqualTo(new Fail(tooLarge));
    assertThat(policy.next(new Failed(invalid), fresh(1))).isEqualTo(new Fail(invalid));
  }

  @Test
  void aSingleTextTooLongIsCutAFewTimesWhenAllowedThenFails() {
    var tooLong = new InputTooLongException("context length", 400, "e", 1);
    State s = fresh(1);
    for (int i = 0; i < AttemptPolicy.MAX_CUTS; i++) {
      Decision d = policy.next(new Failed(tooLong), s);
      assertThat(d).isInstanceOf(AttemptPolicy.Cut.class);
      s = ((AttemptPolicy.Cut) d).next();
      assertThat(s.attempts()).as("a cut is not a failed attempt").isZero();
    }
    assertThat(policy.next(new Failed(tooLong), s)).isEqualTo(new Fail(tooLong));
    var noCuts =
        new AttemptPolicy(
            3, false, Duration.ofSeconds(60), Backoff.DEFAULT, clock, new SplittableRandom(7));
    assertThat(noCuts.next(new Failed(tooLong), fresh(1))).isEqualTo(new Fail(tooLong));
  }

  @Test
  void aCutKeepsWholeCodePoints() {
    assertThat(RemoteSender.cut("abcdefgh")).isEqualTo("abcdef");
    String emoji = "\uD83D\uDE00".repeat(4);
    assertThat(RemoteSender.cut(emoji)).isEqualTo("\uD83D\uDE00".repeat(3));
  }

  @Test
  void requestWideRejectionsAndMalformedAnswersFailAtOnce() {
    var auth = new ProviderRejectedException("bad key", 401, "e");
    var quota = new ProviderRejectedException("insufficient_quota", 429, "e");
    var malformed = new MalformedResponseException("junk", "e", null);
    assertThat(policy.next(new Failed(auth), fresh(8))).isEqualTo(new Fail(auth));
    assertThat(policy.next(new Failed(quota), fresh(8))).isEqualTo(new Fail(quota));
    assertThat(policy.next(new Failed(malformed), fresh(8))).isEqualTo(new Fail(malformed));
  }

  @Test
  void pacingWaitsAreAllowedUpToTheDeadlineAndNoPermitFails() {
    State s = fresh(1);
    assertThat(policy.next(new Paced(Duration.ofSeconds(59)), s))
        .isEqualTo(new Proceed(Duration.ofSeconds(59)));
    assertThat(policy.next(new Paced(Duration.ofSeconds(60)), s)).isInstanceOf(Fail.class);
    assertThat(((Fail) policy.next(new NoPermit(), s)).cause())
        .isInstanceOf(DeadlineExceededException.class)
        .hasMessageContaining("concurrency permit");
    assertThat(policy.next(new Succeeded(), s)).isInstanceOf(AttemptPolicy.Deliver.class);
  }

  @Test
  void aLoneFaultIsRetriedAtOnceButASecondOneOrAnyOverloadSignBacksOff() {
    State s = fresh(4);
    // A batch's first 5xx or reset that stands alone: again at once, still a failed attempt.
    Decision first = policy.next(new Failed(status(500), true), s);
    assertThat(first).isInstanceOf(Retry.class);
    assertThat(((Retry) first).delay()).isZero();
    assertThat(((Retry) first).next().attempts()).isEqualTo(1);
    var reset =
        new ProviderUnavailableException("Connection reset", 0, "e", Optional.empty(), false, null);
    assertThat(((Retry) policy.next(new Failed(reset, true), s)).delay()).isZero();

    // The same batch failing again backs off, even if that failure also stands alone.
    Decision second = policy.next(new Failed(status(502), true), ((Retry) first).next());
    assertThat(((Retry) second).delay()).isPositive();
    assertThat(((Retry) second).next().attempts()).isEqualTo(2);

    // Overload never goes round at once: failures that cluster, a Retry-After, a timeout, a 429.
    assertThat(backoffs(new Failed(status(503), false))).isPositive();
    var withRetryAfter =
        new ProviderUnavailableException(
            "HTTP 503", 503, "e", Optional.of(Duration.ofMillis(300)), false, null);
    assertThat(((Retry) policy.next(new Failed(withRetryAfter, true), s)).delay())
        .isGreaterThanOrEqualTo(Duration.ofMillis(300));
    var timeout =
        new ProviderUnavailableException("timed out", 0, "e", Optional.empty(), true, null);
    assertThat(backoffs(new Failed(timeout, true))).isPositive();
    assertThat(backoffs(new Failed(new RateLimitedException("429", "e", Optional.empty()), true)))
        .isPositive();
  }

  @Test
  void loneFaultsStillSpendTheAttemptBudget() {
    State s = fresh(1);
    for (int i = 0; i < 2; i++) {
      s = ((Retry) policy.next(new Failed(status(500), true), s)).next();
    }
    assertThat(policy.next(new Failed(status(500), true), s)).isInstanceOf(Fail.class);
  }

  /**
   * The longest delay among many draws of {@code outcome} for a fresh batch: the back-off is
   * jittered from zero, so one draw may be zero by chance; a hundred are not.
   */
  private Duration backoffs(Failed outcome) {
    Duration longest = Duration.ZERO;
    for (int i = 0; i < 100; i++) {
      Duration d = ((Retry) policy.next(outcome, fresh(4))).delay();
      longest = d.compareTo(longest) > 0 ? d : longest;
    }
    return longest;
  }
}
