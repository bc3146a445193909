package dev.ragtime.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** The back-off ceilings, read with a random source that always draws the largest value. */
class BackoffTest {
  private static final Duration MS100 = Duration.ofMillis(100);

  /** Draws the largest value allowed, so a delay is its ceiling. */
  private static final RandomGenerator HIGHEST = drawing(bound -> bound - 1);

  /** Draws zero. */
  private static final RandomGenerator LOWEST = drawing(bound -> 0);

  /** A random source whose bounded draws are {@code pick(bound)}. */
  private static RandomGenerator drawing(java.util.function.LongUnaryOperator pick) {
    return new RandomGenerator() {
      @Override
      public long nextLong() {
        throw new UnsupportedOperationException();
      }

      @Override
      public long nextLong(long bound) {
        return pick.applyAsLong(bound);
      }
    };
  }

  @Test
  void baseMustBePositiveAndAtMostMax() {
    assertThat(new Backoff(MS100, MS100).max()).isEqualTo(MS100);
    assertThatThrownBy(() -> new Backoff(Duration.ZERO, MS100))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("need 0 < base <= max, were base PT0S and max PT0.1S");
    assertThatThrownBy(() -> new Backoff(MS100, Duration.ofMillis(99)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theCeilingDoublesPerFailedAttemptUpToMax() {
    var backoff = new Backoff(MS100, Duration.ofMillis(650));
    assertThat(backoff.delay(1, Optional.empty(), HIGHEST)).isEqualTo(MS100);
    assertThat(backoff.delay(2, Optional.empty(), HIGHEST)).isEqualTo(Duration.ofMillis(200));
    assertThat(backoff.delay(3, Optional.empty(), HIGHEST)).isEqualTo(Duration.ofMillis(400));
    assertThat(backoff.delay(4, Optional.empty(), HIGHEST)).isEqualTo(Duration.ofMillis(650));
    assertThat(backoff.delay(60, Optional.empty(), HIGHEST)).isEqualTo(Duration.ofMillis(650));
    assertThat(backoff.delay(3, Optional.empty(), LOWEST)).isZero();
  }

  @Test
  void aRetryAfterLongerThanTheJitteredWaitIsWaitedInFull() {
    var backoff = new Backoff(MS100, Duration.ofSeconds(1));
    assertThat(backoff.delay(1, Optional.of(Duration.ofSeconds(30)), HIGHEST))
        .as("beyond max too")
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(backoff.delay(1, Optional.of(Duration.ofMillis(50)), HIGHEST)).isEqualTo(MS100);
    assertThat(backoff.delay(1, Optional.of(Duration.ofMillis(50)), LOWEST))
        .isEqualTo(Duration.ofMillis(50));
  }

  @Test
  void failedAttemptsStartAtOne() {
    assertThatThrownBy(() -> Backoff.DEFAULT.delay(0, Optional.empty(), HIGHEST))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("failedAttempts must be >= 1, was 0");
  }
}
