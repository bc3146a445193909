package dev.ragtime.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

  private static final long MS = 1_000_000L;
  private static final long SECOND = 1_000 * MS;

  @Test
  void burstingAMinutesQuotaAtOnceIsRejectedAfterTheBurstWindowsShare() {
    // 600 RPM over a 1 s window: 10 requests may burst, the 11th must wait 100 ms.
    RateLimiter limiter = new RateLimiter(600, 0, Duration.ofSeconds(1), 0);
    int admitted = 0;
    Optional<RateLimiter.Rejection> rejection = Optional.empty();
    for (int i = 0; i < 600 && rejection.isEmpty(); i++) {
      rejection = limiter.tryAcquire(0, 1);
      if (rejection.isEmpty()) {
        admitted++;
      }
    }
    assertThat(admitted).isEqualTo(10);
    assertThat(rejection)
        .get()
        .extracting(RateLimiter.Rejection::reason)
        .isEqualTo(Throttle.REQUESTS);
    assertThat(rejection.get().retryAfterNanos()).isEqualTo(100 * MS);
  }

  @Test
  void aClientPacedAtTheLimitIsNeverRejected() {
    RateLimiter limiter = new RateLimiter(600, 60_000, Duration.ofSeconds(1), 0);
    // 600 RPM = one request per 100 ms; 60,000 TPM = 100 tokens per 100 ms.
    for (int i = 0; i < 1_200; i++) {
      assertThat(limiter.tryAcquire(i * 100 * MS, 100)).as("request %d", i).isEmpty();
    }
  }

  @Test
  void waitingTheAnnouncedRetryAfterIsEnough() {
    RateLimiter limiter = new RateLimiter(0, 6_000, Duration.ofSeconds(1), 0);
    assertThat(limiter.tryAcquire(0, 100)).isEmpty(); // the whole 1 s burst of 100 tokens
    RateLimiter.Rejection rejection = limiter.tryAcquire(0, 30).orElseThrow();
    assertThat(rejection.reason()).isEqualTo(Throttle.TOKENS);
    assertThat(rejection.requested()).isEqualTo(30);
    assertThat(limiter.tryAcquire(rejection.retryAfterNanos() - MS, 30)).isPresent();
    assertThat(limiter.tryAcquire(rejection.retryAfterNanos(), 30)).isEmpty();
  }

  @Test
  void rejectedRequestsAreNotCharged() {
    RateLimiter limiter = new RateLimiter(60, 0, Duration.ofSeconds(1), 0);
    assertThat(limiter.tryAcquire(0, 1)).isEmpty();
    for (int i = 0; i < 100; i++) {
      assertThat(limiter.tryAcquire(0, 1)).isPresent();
    }
    // one request per second refills; the 100 rejections did not dig a hole
    assertThat(limiter.tryAcquire(SECOND, 1)).isEmpty();
  }

  @Test
  void aRequestLargerThanTheBurstIsAdmittedWhenFullAndLeavesDebt() {
    RateLimiter limiter = new RateLimiter(0, 6_000, Duration.ofSeconds(1), 0); // 100 tokens/s
    assertThat(limiter.tryAcquire(0, 500)).isEmpty();
    RateLimiter.Rejection rejection = limiter.tryAcquire(0, 1).orElseThrow();
    // level is -400; one token needs 401 tokens of refill = 4.01 s
    assertThat(rejection.retryAfterNanos()).isEqualTo(4_010 * MS);
  }

  @Test
  void headersReportThePerMinuteQuota() {
    RateLimiter limiter = new RateLimiter(3_000, 1_000_000, Duration.ofSeconds(1), 0);
    limiter.tryAcquire(0, 1_000);
    List<String> headers = new ArrayList<>();
    limiter.appendHeaders(0, headers);
    assertThat(headers)
        .containsExactly(
            "x-ratelimit-limit-requests", "3000",
            "x-ratelimit-remaining-requests", "2999",
            "x-ratelimit-reset-requests", "20ms",
            "x-ratelimit-limit-tokens", "1000000",
            "x-ratelimit-remaining-tokens", "999000",
            "x-ratelimit-reset-tokens", "60ms");
  }

  @Test
  void unlimitedLimiterAdmitsEverythingAndSendsNoHeaders() {
    RateLimiter limiter = new RateLimiter(0, 0, Duration.ofSeconds(1), 0);
    for (int i = 0; i < 10_000; i++) {
      assertThat(limiter.tryAcquire(0, 1_000_000)).isEmpty();
    }
    List<String> headers = new ArrayList<>();
    limiter.appendHeaders(0, headers);
    assertThat(headers).isEmpty();
  }

  @Test
  void resetDurationsUseOpenAisGoSyntax() {
    assertThat(RateLimiter.formatReset(0)).isEqualTo("0s");
    assertThat(RateLimiter.formatReset(1)).isEqualTo("1ms");
    assertThat(RateLimiter.formatReset(20 * MS)).isEqualTo("20ms");
    assertThat(RateLimiter.formatReset(999 * MS + 1)).isEqualTo("1s");
    assertThat(RateLimiter.formatReset(SECOND)).isEqualTo("1s");
    assertThat(RateLimiter.formatReset(1_500 * MS)).isEqualTo("1.5s");
    assertThat(RateLimiter.formatReset(8_640 * MS)).isEqualTo("8.64s");
    assertThat(RateLimiter.formatReset(360 * SECOND)).isEqualTo("6m0s");
    assertThat(RateLimiter.formatReset(3_600 * SECOND)).isEqualTo("1h0m0s");
    assertThat(ProviderSimulator.formatResetDuration(Duration.ofMillis(61_005)))
        .isEqualTo("1m1.005s");
  }
}
