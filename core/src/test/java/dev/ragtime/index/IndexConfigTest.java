package dev.ragtime.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Each index setting accepts exactly its documented range; the withers change only their own. */
class IndexConfigTest {
  @Test
  void theDefaultsAreLucenesGraphSettingsAndA64MiBBuffer() {
    assertThat(IndexConfig.DEFAULT).isEqualTo(new IndexConfig(16, 100, 64));
  }

  @Test
  void hnswMIsFromTwoTo512() {
    assertThat(new IndexConfig(2, 1, 1).hnswM()).isEqualTo(2);
    assertThat(new IndexConfig(512, 1, 1).hnswM()).isEqualTo(512);
    assertThatThrownBy(() -> new IndexConfig(1, 1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("hnswM must be in [2, 512], was 1");
    assertThatThrownBy(() -> new IndexConfig(513, 1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("hnswM must be in [2, 512], was 513");
  }

  @Test
  void theBeamWidthIsFromOneTo3200() {
    assertThat(new IndexConfig(2, 1, 1).hnswBeamWidth()).isEqualTo(1);
    assertThat(new IndexConfig(2, 3200, 1).hnswBeamWidth()).isEqualTo(3200);
    assertThatThrownBy(() -> new IndexConfig(2, 0, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("hnswBeamWidth must be in [1, 3200], was 0");
    assertThatThrownBy(() -> new IndexConfig(2, 3201, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("hnswBeamWidth must be in [1, 3200], was 3201");
  }

  @Test
  void theRamBufferIsFromOneTo2048MiB() {
    assertThat(new IndexConfig(2, 1, 1).ramBufferMb()).isEqualTo(1);
    assertThat(new IndexConfig(2, 1, 2048).ramBufferMb()).isEqualTo(2048);
    for (double bad : new double[] {0.99, 2048.5, Double.NaN}) {
      assertThatThrownBy(() -> new IndexConfig(2, 1, bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("ramBufferMb must be in [1, 2048], was " + bad);
    }
  }

  @Test
  void eachWitherChangesOnlyItsOwnSetting() {
    var base = new IndexConfig(8, 50, 32);
    assertThat(base.withHnswM(9)).isEqualTo(new IndexConfig(9, 50, 32));
    assertThat(base.withHnswBeamWidth(51)).isEqualTo(new IndexConfig(8, 51, 32));
    assertThat(base.withRamBufferMb(33)).isEqualTo(new IndexConfig(8, 50, 33));
  }
}
