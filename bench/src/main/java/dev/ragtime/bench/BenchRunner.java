package dev.ragtime.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragtime.simulator.ProviderSimulator;
import dev.ragtime.simulator.SimulatorCounters;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs contenders against scenarios: for each run a fresh simulator (so no rate-limit bucket or
 * counter carries over), the contender in this JVM or in a JVM of its own, and the simulator's
 * counters read once the contender is done. Does no printing.
 */
final class BenchRunner {
  static final String API_KEY = "sk-bench-not-a-real-key";

  /** Runs one contender against a simulator that is already up. */
  interface Launcher {
    ContenderReport run(Contender.Kind kind, Workload workload, Contender.Target target, String tag)
        throws IOException, InterruptedException;
  }

  private final Launcher launcher;
  private final int documentsInFlight;
  private final long seed;
  private final Optional<Path> timelines;

  /**
   * @param documentsInFlight documents Ragtime embeds at once; 0 for the scenario's concurrency ×
   *     batch size (enough texts to fill every request the provider admits)
   */
  BenchRunner(Launcher launcher, int documentsInFlight, long seed) {
    this(launcher, documentsInFlight, seed, Optional.empty());
  }

  /**
   * As above; {@code timelines}: a directory where each run's exchanges go as {@code <tag>.csv}
   * ({@link Timeline#writeCsv}).
   */
  BenchRunner(Launcher launcher, int documentsInFlight, long seed, Optional<Path> timelines) {
    if (documentsInFlight < 0) {
      throw new IllegalArgumentException(
          "documentsInFlight must be >= 0 (0 = auto), was " + documentsInFlight);
    }
    this.launcher = launcher;
    this.documentsInFlight = documentsInFlight;
    this.seed = seed;
    this.timelines = timelines;
  }

  /** The documents Ragtime embeds at once in {@code scenario}. */
  int documentsInFlight(Scenario scenario) {
    return documentsInFlight > 0 ? documentsInFlight : scenario.concurrency() * scenario.maxBatch();
  }

  /** One contender, one scenario, one repetition. */
  RunResult runOnce(Scenario scenario, int run, Contender.Kind kind, Workload workload)
      throws IOException, InterruptedException {
    try (ProviderSimulator simulator =
        ProviderSimulator.start(scenario.simulatorConfig(seed + run))) {
      URI baseUrl = URI.create(simulator.baseUri() + "/v1");
      String tag = scenario.name() + "-" + kind.label() + "-" + run;
      Contender.Target target =
          new Contender.Target(baseUrl, API_KEY, scenario, documentsInFlight(scenario));
      ContenderReport report = launcher.run(kind, workload, target, tag);
      awaitIdle(simulator);
      List<SimulatorCounters.Exchange> exchanges = simulator.counters().exchanges();
      if (timelines.isPresent()) {
        Timeline.writeCsv(exchanges, timelines.get().resolve(tag + ".csv"));
      }
      return RunResult.of(
          scenario,
          run,
          workload,
          report,
          simulator.counters().snapshot(),
          Timeline.of(exchanges, scenario.concurrency()).summary());
    }
  }

  /** Requests the client abandoned (a hang, a timeout) may still be sleeping in the simulator. */
  private static void awaitIdle(ProviderSimulator simulator) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (simulator.counters().concurrentRequests() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  /** Runs the contender in this JVM (quick checks and the smoke test). */
  static Launcher inProcess() {
    return (kind, workload, target, tag) ->
        ContenderReport.of(kind, workload, kind.create().run(workload, target));
  }

  /**
   * Runs each contender in a fresh JVM: {@code java <jvmArgs> -cp <classpath> ContenderProcess
   * ...}, its output in {@code <workDir>/logs/<tag>.log}.
   *
   * @param workloadFile the workload, already written as JSON
   */
  static Launcher childProcess(
      Path workDir, Path workloadFile, String classpath, List<String> jvmArgs, Duration timeout) {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    return (kind, workload, target, tag) -> {
      Scenario scenario = target.scenario();
      Path logs = workDir.resolve("logs");
      Files.createDirectories(logs);
      Path result = workDir.resolve("results").resolve(tag + ".json");
      Files.createDirectories(result.getParent());
      Files.deleteIfExists(result);
      List<String> command = new ArrayList<>();
      command.add(java.toString());
      command.addAll(jvmArgs);
      command.addAll(
          List.of(
              "-cp",
              classpath,
              ContenderProcess.class.getName(),
              "--contender",
              kind.label(),
              "--base-url",
              target.baseUrl().toString(),
              "--api-key",
              target.apiKey(),
              "--rpm",
              Integer.toString(scenario.rpm()),
              "--tpm",
              Long.toString(scenario.tpm()),
              "--concurrency",
              Integer.toString(scenario.concurrency()),
              "--max-batch",
              Integer.toString(scenario.maxBatch()),
              "--documents-in-flight",
              Integer.toString(target.documentsInFlight()),
              "--workload",
              workloadFile.toString(),
              "--result",
              result.toString()));
      Path log = logs.resolve(tag + ".log");
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      try {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly().waitFor();
          throw new IOException(
              kind.label() + " did not finish within " + timeout + "; see " + log);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        throw e;
      }
      if (process.exitValue() != 0 || !Files.exists(result)) {
        throw new IOException(
            kind.label() + " exited with " + process.exitValue() + " and no result; see " + log);
      }
      try {
        return new ObjectMapper().readValue(result.toFile(), ContenderReport.class);
      } catch (IOException e) {
        throw new UncheckedIOException("unreadable result " + result, e);
      }
    };
  }
}
