package dev.ragtime.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SearchConfigTest {

  @Test
  void theDefaultIsScoreFusionAndTheFourArgumentFormIsRankFusion() {
    assertThat(SearchConfig.DEFAULT.fusion()).isEqualTo(Fusion.SCORE);
    assertThat(SearchConfig.DEFAULT.scoreWeight()).isEqualTo(0.3);
    assertThat(SearchConfig.DEFAULT.normalization()).isEqualTo(ScoreNormalization.MAX);
    assertThat(SearchConfig.DEFAULT.candidates()).isEqualTo(100);

    SearchConfig rrf = new SearchConfig(60, 100, 1.0, 1.0);
    assertThat(rrf.fusion()).isEqualTo(Fusion.RRF);
    assertThat(rrf).isEqualTo(SearchConfig.DEFAULT.withFusion(Fusion.RRF));
    assertThat(SearchConfig.DEFAULT.withRrf(10, 1.0, 2.0))
        .isEqualTo(new SearchConfig(10, 100, 1.0, 2.0, Fusion.RRF, 0.3, ScoreNormalization.MAX));
    assertThat(rrf.withScoreFusion(0.4, ScoreNormalization.MIN_MAX).withCandidates(50))
        .isEqualTo(SearchConfig.scoreFusion(0.4, ScoreNormalization.MIN_MAX, 50));
  }

  @Test
  void aListIsFusedOnlyWhenItsWeightOrShareIsNotZero() {
    assertThat(SearchConfig.scoreFusion(1, ScoreNormalization.MAX, 10).fusesVector()).isFalse();
    assertThat(SearchConfig.scoreFusion(1, ScoreNormalization.MAX, 10).fusesLexical()).isTrue();
    assertThat(SearchConfig.scoreFusion(0, ScoreNormalization.MAX, 10).fusesLexical()).isFalse();
    // Rank-fusion weights do not matter to score fusion, and the other way round.
    SearchConfig vectorOnlyRrf = new SearchConfig(60, 10, 0.0, 1.0);
    assertThat(vectorOnlyRrf.fusesLexical()).isFalse();
    assertThat(vectorOnlyRrf.withScoreFusion(0.5, ScoreNormalization.MAX).fusesLexical()).isTrue();
  }

  @Test
  void outOfRangeSettingsAreRejectedNamingTheValue() {
    assertThatThrownBy(() -> SearchConfig.scoreFusion(1.2, ScoreNormalization.MAX, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("scoreWeight")
        .hasMessageContaining("1.2");
    assertThatThrownBy(() -> SearchConfig.scoreFusion(-0.1, ScoreNormalization.MAX, 10))
        .hasMessageContaining("-0.1");
    assertThatThrownBy(() -> new SearchConfig(60, 10, Double.POSITIVE_INFINITY, 1.0))
        .hasMessageContaining("Infinity");
    assertThatThrownBy(() -> new SearchConfig(60, 10, 1, 1, null, 0.5, ScoreNormalization.MAX))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("fusion");
  }

  @Test
  void fusionAndNormalizationNamesParseAsConfiguredAndRejectOthers() {
    assertThat(Fusion.parse(" Score ")).isEqualTo(Fusion.SCORE);
    assertThat(Fusion.parse("rrf").label()).isEqualTo("rrf");
    assertThat(ScoreNormalization.parse("min-max")).isEqualTo(ScoreNormalization.MIN_MAX);
    assertThat(ScoreNormalization.MIN_MAX.label()).isEqualTo("min-max");
    assertThatThrownBy(() -> Fusion.parse("sum"))
        .hasMessageContaining("'sum'")
        .hasMessageContaining("rrf, score");
    assertThatThrownBy(() -> ScoreNormalization.parse("z-score"))
        .hasMessageContaining("'z-score'")
        .hasMessageContaining("max, min-max");
  }
}
