package dev.ragtime.bench.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplesTest {
  @Test
  void percentilesAreNearestRankAndAlwaysAMeasuredValue() {
    double[] v = new double[100];
    for (int i = 0; i < 100; i++) {
      v[i] = 100 - i; // 100 .. 1, unsorted on purpose
    }
    assertThat(Samples.percentile(v, 50)).isEqualTo(50);
    assertThat(Samples.percentile(v, 99)).isEqualTo(99);
    assertThat(Samples.percentile(v, 100)).isEqualTo(100);
    assertThat(Samples.percentile(new double[] {7}, 99)).isEqualTo(7);
    assertThat(v[0]).as("input untouched").isEqualTo(100);
  }

  @Test
  void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
    assertThat(Samples.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
    assertThat(Samples.median(new double[] {3, 1, 2})).isEqualTo(2);
    assertThatThrownBy(() -> Samples.median(new double[0]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void optionsRejectUnknownNamesAndParseValues() {
    Options o =
        Options.parse(
            new String[] {"--n", "3", "--list", "1, 2,3", "--flag"},
            Set.of("--n", "--list"),
            Set.of("--flag"));
    assertThat(o.integer("--n", 0)).isEqualTo(3);
    assertThat(o.integers("--list", "")).containsExactly(1, 2, 3);
    assertThat(o.has("--flag")).isTrue();
    assertThat(o.string("--absent", "d")).isEqualTo("d");
    assertThatThrownBy(() -> Options.parse(new String[] {"--x", "1"}, Set.of("--n"), Set.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--x");
  }

  @Test
  void cpuReadingsAreNonNegativeOnLinux() {
    var start = CpuMeter.start();
    long sum = 0;
    for (int i = 0; i < 5_000_000; i++) {
      sum += i % 7;
    }
    var usage = CpuMeter.since(start);
    assertThat(sum).isPositive();
    assertThat(usage.seconds()).isPositive();
    if (!Double.isNaN(usage.machineCores())) {
      assertThat(usage.ownCores()).isGreaterThanOrEqualTo(0);
      assertThat(usage.otherCores()).isGreaterThanOrEqualTo(0);
    }
  }
}
