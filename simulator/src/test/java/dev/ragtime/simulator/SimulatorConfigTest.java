package dev.ragtime.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SimulatorConfigTest {

  @Test
  void builderStartsAtTheDefaults() {
    SimulatorConfig config = SimulatorConfig.builder().build();
    assertThat(config.port()).isEqualTo(SimulatorConfig.DEFAULT_PORT);
    assertThat(config.dimension()).isEqualTo(SimulatorConfig.DEFAULT_DIMENSION);
    assertThat(config.maxInputsPerRequest()).isEqualTo(2048);
    assertThat(config.faults()).isEqualTo(Faults.NONE);
    assertThat(config.toBuilder().build()).isEqualTo(config);
  }

  @Test
  void invalidValuesAreRejectedWithTheValueInTheMessage() {
    assertThatThrownBy(() -> SimulatorConfig.builder().port(70_000).build())
        .hasMessageContaining("70000");
    assertThatThrownBy(() -> SimulatorConfig.builder().requestsPerMinute(-1).build())
        .hasMessageContaining("-1");
    assertThatThrownBy(() -> SimulatorConfig.builder().burstWindow(Duration.ofMinutes(2)).build())
        .hasMessageContaining("PT2M");
    assertThatThrownBy(() -> SimulatorConfig.builder().model(" ").build())
        .hasMessageContaining("blank");
    assertThatThrownBy(() -> SimulatorConfig.builder().baseLatency(Duration.ofMillis(-5)).build())
        .hasMessageContaining("baseLatency")
        .hasMessageContaining("-0.005S");
  }

  @Test
  void faultProbabilitiesMustBeValidAndSumToAtMostOne() {
    assertThatThrownBy(() -> Faults.builder().resetProbability(1.5).build())
        .hasMessageContaining("resetProbability")
        .hasMessageContaining("1.5");
    assertThatThrownBy(
            () -> Faults.builder().http500Probability(0.6).http503Probability(0.6).build())
        .hasMessageContaining("sum to at most 1");
    assertThatThrownBy(() -> Faults.builder().hangProbability(Double.NaN).build())
        .hasMessageContaining("NaN");
  }

  @Test
  void faultDrawWalksTheFaultsInOrder() {
    Faults faults =
        Faults.builder().resetProbability(0.1).http500Probability(0.2).hangProbability(0.1).build();
    assertThat(faults.pick(0.05)).contains(Fault.RESET);
    assertThat(faults.pick(0.25)).contains(Fault.HTTP_500);
    assertThat(faults.pick(0.35)).contains(Fault.HANG);
    assertThat(faults.pick(0.45)).isEqualTo(Optional.empty());
    assertThat(Faults.NONE.isNone()).isTrue();
    assertThat(faults.isNone()).isFalse();
  }

  @Test
  void commandLineBuildsTheConfig() {
    SimulatorConfig config =
        SimulatorMain.parse(
            new String[] {
              "--port",
              "8089",
              "--rpm",
              "3000",
              "--tpm",
              "1000000",
              "--latency-ms",
              "20",
              "--latency-per-token-us",
              "5",
              "--reset",
              "0.01",
              "--slow-ms",
              "500",
              "--strict-model"
            });
    assertThat(config.port()).isEqualTo(8089);
    assertThat(config.requestsPerMinute()).isEqualTo(3000);
    assertThat(config.tokensPerMinute()).isEqualTo(1_000_000);
    assertThat(config.baseLatency()).isEqualTo(Duration.ofMillis(20));
    assertThat(config.latencyPerToken()).isEqualTo(Duration.ofNanos(5_000));
    assertThat(config.faults().resetProbability()).isEqualTo(0.01);
    assertThat(config.faults().slowDelay()).isEqualTo(Duration.ofMillis(500));
    assertThat(config.acceptAnyModel()).isFalse();
    assertThat(config.adminEndpoints()).isTrue();
    assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--rpm"}))
        .hasMessageContaining("missing value after --rpm");
    assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--bogus", "1"}))
        .hasMessageContaining("unknown option --bogus");
  }
}
