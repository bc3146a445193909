package dev.ragtime.embed;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Retries take the next permit ahead of new batches, without raising the limit. */
class AdaptiveLimiterTest {

  private static AdaptiveLimiter limiterOf(int limit) {
    return new AdaptiveLimiter(
        new AimdLimit(limit, limit, AimdLimit.DEFAULT_BACKOFF_RATIO, Duration.ofSeconds(10)));
  }

  private static void awaitWaiting(AdaptiveLimiter limiter, int n) {
    while (limiter.waiting() < n) {
      Thread.onSpinWait();
    }
  }

  /**
   * A new batch's plain acquire in a thread of its own: takes a permit, counts down, gives it back.
   */
  private static Thread newBatch(AdaptiveLimiter limiter, CountDownLatch got) {
    return Thread.ofVirtual()
        .start(
            () -> {
              try {
                limiter.acquire().ignore();
                got.countDown();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
  }

  @Test
  void aRetryGetsTheNextFreePermitBeforeABatchThatWaitedLonger() throws Exception {
    AdaptiveLimiter limiter = limiterOf(1);
    AdaptiveLimiter.Permit held = limiter.acquire();
    List<String> order = new CopyOnWriteArrayList<>();
    CountDownLatch releasePlain = new CountDownLatch(1);
    Thread plain =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    AdaptiveLimiter.Permit p = limiter.acquire();
                    order.add("new batch");
                    releasePlain.await();
                    p.ignore();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
    awaitWaiting(limiter, 1);
    Thread retry =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    AdaptiveLimiter.Permit p = limiter.acquireAhead(Duration.ofMinutes(1)).get();
                    order.add("retry");
                    assertThat(limiter.inFlight()).isEqualTo(1);
                    p.ignore();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
    awaitWaiting(limiter, 2);

    held.ignore();
    retry.join();
    releasePlain.countDown();
    plain.join();
    assertThat(order).containsExactly("retry", "new batch");
    assertThat(limiter.inFlight()).isZero();
  }

  @Test
  void aRetryNeverExceedsTheLimitAndOneThatGivesUpLetsTheOthersThrough() throws Exception {
    AdaptiveLimiter limiter = limiterOf(1);
    AdaptiveLimiter.Permit held = limiter.acquire();
    assertThat(limiter.acquireAhead(Duration.ZERO)).isEmpty();
    CountDownLatch got = new CountDownLatch(1);
    Thread plain = newBatch(limiter, got);
    awaitWaiting(limiter, 1);
    // A retry that gives up while waiting does not keep the plain waiter held back.
    assertThat(limiter.acquireAhead(Duration.ofMillis(1))).isEmpty();
    held.ignore();
    got.await();
    plain.join();
    assertThat(limiter.inFlight()).isZero();
  }

  @Test
  void aRenewedPermitPassesStraightToTheRetryAndNobodySlipsInBetween() throws Exception {
    AdaptiveLimiter limiter = limiterOf(1);
    AdaptiveLimiter.Permit held = limiter.acquire();
    CountDownLatch got = new CountDownLatch(1);
    Thread plain = newBatch(limiter, got);
    awaitWaiting(limiter, 1);
    AdaptiveLimiter.Permit renewed = held.renew(false).orElseThrow();
    assertThat(limiter.inFlight()).isEqualTo(1);
    assertThat(got.getCount()).as("the waiting batch did not get in between").isEqualTo(1);
    assertThat(held.renew(false)).as("a resolved permit renews nothing").isEmpty();
    renewed.ignore();
    got.await();
    plain.join();
    assertThat(limiter.inFlight()).isZero();
  }
}
