package dev.ragtime.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The AIMD limit's bounds and the exact conditions under which it grows or shrinks. */
class AimdLimitTest {
  private static final Duration SLOW = Duration.ofSeconds(5);
  private static final Duration FAST = Duration.ofMillis(10);

  @Test
  void theSettingsAreCheckedAndTheInitialLimitClamped() {
    assertThatThrownBy(() -> new AimdLimit(1, 0, 0.75, SLOW))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("max must be >= 1, was 0");
    assertThatThrownBy(() -> new AimdLimit(1, 4, 1.0, SLOW))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("backoffRatio must be in [0.5, 1), was 1.0");
    assertThatThrownBy(() -> new AimdLimit(1, 4, 0.49, SLOW))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(new AimdLimit(1, 4, 0.5, SLOW).limit()).isEqualTo(1);
    assertThat(new AimdLimit(0, 4, 0.75, SLOW).limit()).isEqualTo(1);
    assertThat(new AimdLimit(9, 4, 0.75, SLOW).limit()).isEqualTo(4);
    assertThat(new AimdLimit(9, 4, 0.75, SLOW).max()).isEqualTo(4);
  }

  @Test
  void aDropOrAResponseSlowerThanTheThresholdShrinksTheLimitButNotBelowOne() {
    var limit = new AimdLimit(8, 8, 0.75, SLOW);
    assertThat(limit.onSample(FAST, 8, true)).isEqualTo(6);
    assertThat(limit.onSample(SLOW, 8, false)).as("exactly the threshold is not slow").isEqualTo(6);
    assertThat(limit.onSample(SLOW.plusNanos(1), 8, false)).isEqualTo(4);
    var one = new AimdLimit(1, 8, 0.5, SLOW);
    assertThat(one.onSample(FAST, 1, true)).isEqualTo(1);
  }

  @Test
  void successesGrowTheLimitByAboutOnePerRoundOnlyWhileHalfOfItIsUsed() {
    var limit = new AimdLimit(4, 8, 0.75, SLOW);
    for (int i = 0; i < 4; i++) {
      assertThat(limit.onSample(FAST, 1, false)).as("a quarter used").isEqualTo(4);
    }
    for (int i = 0; i < 3; i++) {
      assertThat(limit.onSample(FAST, 2, false)).as("half used, +1/4 each").isEqualTo(4);
    }
    assertThat(limit.onSample(FAST, 2, false)).isEqualTo(5);
  }

  @Test
  void growthStopsAtTheMaximum() {
    var limit = new AimdLimit(2, 2, 0.75, SLOW);
    for (int i = 0; i < 10; i++) {
      limit.onSample(FAST, 2, false);
    }
    assertThat(limit.limit()).isEqualTo(2);
  }
}
