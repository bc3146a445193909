package dev.ragtime.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ragtime.simulator.Faults;
import dev.ragtime.testing.SharedData;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The benchmark scaled down to about a second per contender, run in this JVM: checks that every
 * contender runs on the bench class path next to Ragtime (no dependency clash) and that the
 * measurements add up. Asserts correctness, never speed.
 */
class PipelineBenchmarkSmokeTest {

  private static final Scenario SMALL =
      new Scenario(
          "smoke",
          "scaled down",
          6_000,
          0,
          4,
          Duration.ofMillis(5),
          Duration.ofNanos(1_000),
          8,
          Faults.NONE);

  @Test
  void everyContenderEmbedsEveryTextCorrectlyAgainstTheSimulator() throws Exception {
    Workload workload = Workload.synthetic(12, 3, 30);
    BenchRunner runner = new BenchRunner(BenchRunner.inProcess(), 0, 7);
    for (Contender.Kind kind : Contender.Kind.values()) {
      RunResult r = runner.runOnce(SMALL, 1, kind, workload);
      assertThat(r.contender()).isEqualTo(kind.label());
      assertThat(r.firstError()).as(kind.label()).isEmpty();
      assertThat(r.delivered()).as(kind.label()).isEqualTo(36);
      assertThat(r.lost()).as(kind.label()).isZero();
      assertThat(r.ok()).as(kind.label()).isPositive().isEqualTo(r.requests());
      assertThat(r.throttled()).as(kind.label()).isZero();
      assertThat(r.duplicateEmbeddings()).as(kind.label()).isZero();
      assertThat(r.connections()).as(kind.label()).isLessThanOrEqualTo(r.requests());
      assertThat(r.tokensPerSecond()).as(kind.label()).isPositive();
      assertThat(r.ceiling()).as(kind.label()).isPositive();
      assertThat(r.settings()).as(kind.label()).isNotBlank();
    }
  }

  @Test
  void theLegacyReplicaOpensOneConnectionPerRequestAndRagtimeReusesItsPool() throws Exception {
    Workload workload = Workload.synthetic(20, 4, 30);
    BenchRunner runner = new BenchRunner(BenchRunner.inProcess(), 0, 7);
    RunResult legacy = runner.runOnce(SMALL, 1, Contender.Kind.LEGACY, workload);
    RunResult ragtime = runner.runOnce(SMALL, 1, Contender.Kind.RAGTIME, workload);
    assertThat(legacy.connections()).isEqualTo(legacy.requests()).isEqualTo(10);
    assertThat(ragtime.connections()).isLessThanOrEqualTo(SMALL.concurrency());
    assertThat(ragtime.delivered()).isEqualTo(80);
  }

  @Test
  void theLegacyReplicaDropsABatchAfterItsRetriesAndCountsItsTextsAsLost() throws Exception {
    Scenario down =
        new Scenario(
            "down",
            "every request fails",
            6_000,
            0,
            4,
            Duration.ofMillis(1),
            Duration.ZERO,
            8,
            Faults.builder().http500Probability(1.0).build());
    Workload workload = Workload.synthetic(1, 8, 10);
    RunResult r =
        new BenchRunner(BenchRunner.inProcess(), 0, 7)
            .runOnce(down, 1, Contender.Kind.LEGACY, workload);
    assertThat(r.lost()).isEqualTo(8);
    assertThat(r.delivered()).isZero();
    assertThat(r.requests()).isEqualTo(1 + LegacyContender.MAX_RETRIES);
    assertThat(r.clientRetries()).isEqualTo(LegacyContender.MAX_RETRIES);
    assertThat(r.firstError()).contains("500");
  }

  @Test
  void theCeilingIsTheTightestOfTheThreeLimits() {
    Scenario s =
        new Scenario(
            "ceiling",
            "",
            600,
            60_000,
            2,
            Duration.ofMillis(100),
            Duration.ofNanos(100_000),
            32,
            Faults.NONE);
    // 100 tokens per request: RPM gives 10 req/s × 100 = 1,000; concurrency 2 × 100 / 0.11 s =
    // 1,818; TPM 1,000.
    assertThat(s.ceiling(100)).isEqualTo(1_000.0);
    // 10 tokens per request: RPM gives 100 tokens/s, the tightest
    assertThat(s.ceiling(10)).isEqualTo(100.0);
    assertThat(s.bindingLimit(10)).isEqualTo("RPM");
    // 1,000 tokens per request: concurrency 2 × 1,000 / 0.2 s = 10,000, TPM 1,000 binds
    assertThat(s.bindingLimit(1_000)).isEqualTo("TPM");
    Scenario latencyOnly =
        new Scenario(
            "latency",
            "",
            0,
            0,
            8,
            Duration.ofMillis(200),
            Duration.ofNanos(10_000),
            32,
            Faults.NONE);
    assertThat(latencyOnly.ceiling(4_800)).isCloseTo(8 * 4_800 / 0.248, within(1e-6));
    assertThat(latencyOnly.bindingLimit(4_800)).isEqualTo("concurrency/latency");
  }

  @Test
  void theShortWindowScenarioHasTheProviderEnforceItsLimitsOverAFifthOfASecond() {
    Scenario s = Scenario.shortWindow();
    assertThat(s.simulatorConfig(1).burstWindow()).isEqualTo(Duration.ofMillis(200));
    assertThat(Scenario.faulty().simulatorConfig(1).burstWindow()).isEqualTo(Duration.ofSeconds(1));
    // SciFact's 32-chunk batches (about 4,800 tokens): 150,000 tokens/s binds, not 40 requests/s
    assertThat(s.ceiling(4_800)).isEqualTo(150_000.0);
    assertThat(s.bindingLimit(4_800)).isEqualTo("TPM");
    assertThat(
            s.faults().http500Probability()
                + s.faults().http502Probability()
                + s.faults().http503Probability())
        .isCloseTo(0.05, within(1e-9));
    assertThat(s.faults().resetProbability()).isEqualTo(0.01);
  }

  @Test
  void theTableShowsTheRunWithTheMedianThroughput() {
    List<RunResult> runs = new ArrayList<>();
    for (double tps : new double[] {300, 100, 200}) {
      runs.add(result("latency", "ragtime", tps));
    }
    runs.add(result("latency", "legacy", 50));
    List<RunResult> medians = Report.medians(runs);
    assertThat(medians).extracting(RunResult::tokensPerSecond).containsExactly(200.0, 50.0);
    List<String[]> rows = Report.rows(medians, "latency");
    assertThat(rows.get(1)[rows.get(1).length - 1]).isEqualTo("0.25×");
    assertThat(Report.markdown(rows)).startsWith("| contender |").contains("| legacy |");
  }

  @Test
  void theCorpusWorkloadIsDistinctNormalisedChunksOfAtMostTheChunkBudget() {
    Path corpus = SharedData.file("beir/scifact/corpus.jsonl");
    Workload workload = Workload.fromCorpus(corpus, 500);
    List<String> texts = workload.texts();
    assertThat(texts).hasSize(500).doesNotHaveDuplicates();
    assertThat(texts).allSatisfy(t -> assertThat(t).isEqualTo(Workload.normalize(t)).isNotEmpty());
    assertThat(workload.documents().size()).isBetween(100, 500);
    assertThat(workload.tokens()).isBetween(500L * 20, 500L * (Workload.CHUNK_TOKENS + 60));
  }

  private static RunResult result(String scenario, String contender, double tokensPerSecond) {
    return new RunResult(
        scenario,
        contender,
        1,
        "",
        10,
        1.0,
        10,
        0,
        tokensPerSecond,
        100,
        1000,
        "TPM",
        tokensPerSecond / 1000,
        1,
        1,
        0,
        0,
        0,
        0,
        0,
        1,
        0,
        1,
        "",
        "");
  }

  private static org.assertj.core.data.Offset<Double> within(double d) {
    return org.assertj.core.data.Offset.offset(d);
  }
}
