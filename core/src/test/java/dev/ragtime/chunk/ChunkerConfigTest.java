package dev.ragtime.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ChunkerConfigTest {
  @Test
  void defaultsLeaveRoomForATitlePrefixWithinTheModelLimit() {
    ChunkerConfig config = ChunkerConfig.defaults();
    assertThat(config.maxTokens()).isEqualTo(200).isLessThan(254);
    assertThat(config.overlapTokens()).isEqualTo(32);
    assertThat(config.minChunkTokens()).isEqualTo(32);
  }

  @Test
  void ofDerivesASmallMinimumForSmallBudgets() {
    assertThat(ChunkerConfig.of(200, 20).minChunkTokens()).isEqualTo(32);
    assertThat(ChunkerConfig.of(40, 5).minChunkTokens()).isEqualTo(10);
    assertThat(ChunkerConfig.of(1, 0).minChunkTokens()).isZero();
  }

  @Test
  void overlapMustBeSmallerThanTheBudget() {
    assertThatThrownBy(() -> new ChunkerConfig(100, 100, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("overlapTokens")
        .hasMessageContaining("was 100");
    assertThatThrownBy(() -> ChunkerConfig.defaults().withOverlapTokens(-1))
        .hasMessageContaining("was -1");
  }

  @Test
  void budgetAndMinimumAreValidatedWithTheBadValueInTheMessage() {
    assertThatThrownBy(() -> new ChunkerConfig(0, 0, 0))
        .hasMessageContaining("maxTokens")
        .hasMessageContaining("was 0");
    assertThatThrownBy(() -> new ChunkerConfig(10, 0, 11))
        .hasMessageContaining("minChunkTokens")
        .hasMessageContaining("was 11");
  }
}
