package dev.ragtime.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Each ingest setting accepts its whole documented range, and only that, with a clear message. */
class IngestConfigTest {
  private static final Duration SECOND = Duration.ofSeconds(1);

  @Test
  void theDefaultsAreTheDocumentedValues() {
    assertThat(IngestConfig.DEFAULT)
        .isEqualTo(new IngestConfig(64, 512, Duration.ofSeconds(2), 50L * 1024 * 1024));
  }

  @Test
  void documentsInFlightMustBeFromOneToTenThousand() {
    assertThat(new IngestConfig(1, 1, SECOND, 1).documentsInFlight()).isEqualTo(1);
    assertThat(new IngestConfig(10_000, 1, SECOND, 1).documentsInFlight()).isEqualTo(10_000);
    assertThatThrownBy(() -> new IngestConfig(0, 1, SECOND, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("documentsInFlight must be in [1, 10000], was 0");
    assertThatThrownBy(() -> new IngestConfig(10_001, 1, SECOND, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("documentsInFlight must be in [1, 10000], was 10001");
  }

  @Test
  void commitDocumentsMustBeFromOneToAHundredThousand() {
    assertThat(new IngestConfig(1, 1, SECOND, 1).commitDocuments()).isEqualTo(1);
    assertThat(new IngestConfig(1, 100_000, SECOND, 1).commitDocuments()).isEqualTo(100_000);
    assertThatThrownBy(() -> new IngestConfig(1, 0, SECOND, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("commitDocuments must be in [1, 100000], was 0");
    assertThatThrownBy(() -> new IngestConfig(1, 100_001, SECOND, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("commitDocuments must be in [1, 100000], was 100001");
  }

  @Test
  void theCommitIntervalMustBePositive() {
    assertThat(new IngestConfig(1, 1, Duration.ofNanos(1), 1).commitInterval())
        .isEqualTo(Duration.ofNanos(1));
    assertThatThrownBy(() -> new IngestConfig(1, 1, Duration.ZERO, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("commitInterval must be positive, was PT0S");
    assertThatThrownBy(() -> new IngestConfig(1, 1, Duration.ofMillis(-1), 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("commitInterval must be positive, was PT-0.001S");
    assertThatThrownBy(() -> new IngestConfig(1, 1, null, 1))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("commitInterval");
  }

  @Test
  void maxFileBytesMustBePositive() {
    assertThat(new IngestConfig(1, 1, SECOND, 1).maxFileBytes()).isEqualTo(1);
    assertThatThrownBy(() -> new IngestConfig(1, 1, SECOND, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxFileBytes must be positive, was 0");
  }
}
