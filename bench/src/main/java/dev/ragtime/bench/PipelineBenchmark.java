package dev.ragtime.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ragtime.ingest.IngestConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The embedding-pipeline benchmark (issue 3): Ragtime's pipeline, LangChain4j, Spring AI and a
 * replica of the thread-and-queue design, each embedding the same chunks of real text against the
 * same simulated rate-limited provider, each in a JVM of its own; prints a table per scenario and
 * writes {@code results.json} and {@code results.md} to the output directory. See
 * docs/BENCHMARKS.md and {@code --help}.
 */
public final class PipelineBenchmark {
  private static final String USAGE =
      """
      Usage: java -cp <bench classpath> dev.ragtime.bench.PipelineBenchmark [options]
        --corpus FILE             BEIR-style corpus.jsonl (default ../shared/data/beir/scifact/corpus.jsonl)
        --texts N                 chunks to embed (default 6000)
        --tokens-seconds S        the tokens-bound scenario's TPM is set so the ceiling takes S s (default 40)
        --scenarios LIST          of tokens, latency, faults, short-window (default all)
        --contenders LIST         of ragtime, legacy, langchain4j, langchain4j-b32, spring-ai (default all)
        --runs N                  repetitions; tables show the run with the median throughput (default 1)
        --documents-in-flight N   documents Ragtime embeds at once (default: concurrency × batch size of
                                  the scenario, enough to fill every request; the ingestor's default is %d)
        --out DIR                 where results and logs go (default bench/target/pipeline-bench)
        --in-process              run contenders in this JVM instead of one fresh JVM each
        --child-jvm-args ARGS     JVM options of each contender's JVM (default "-Xms256m -Xmx1g")
        --child-timeout-s N       give up on a contender after N s (default 900)
        --seed N                  simulator seed (default 42)
      """
          .formatted(IngestConfig.DEFAULT_DOCUMENTS_IN_FLIGHT);

  private PipelineBenchmark() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    Map<String, String> options = new LinkedHashMap<>();
    boolean inProcess = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--help", "-h" -> {
          out.print(USAGE);
          return;
        }
        case "--in-process" -> inProcess = true;
        default -> {
          if (!args[i].startsWith("--") || i + 1 >= args.length) {
            out.print(USAGE);
            throw new IllegalArgumentException("bad argument " + args[i]);
          }
          options.put(args[i], args[++i]);
        }
      }
    }
    Path corpus =
        Path.of(options.getOrDefault("--corpus", "../shared/data/beir/scifact/corpus.jsonl"));
    int texts = Integer.parseInt(options.getOrDefault("--texts", "6000"));
    double tokensSeconds = Double.parseDouble(options.getOrDefault("--tokens-seconds", "40"));
    List<String> scenarioNames =
        List.of(
            options.getOrDefault("--scenarios", "tokens,latency,faults,short-window").split(","));
    List<Contender.Kind> kinds = new ArrayList<>();
    for (String label :
        options
            .getOrDefault("--contenders", "ragtime,legacy,langchain4j,langchain4j-b32,spring-ai")
            .split(",")) {
      kinds.add(Contender.Kind.parse(label));
    }
    int runs = Integer.parseInt(options.getOrDefault("--runs", "1"));
    int documentsInFlight = Integer.parseInt(options.getOrDefault("--documents-in-flight", "0"));
    Path outDir = Path.of(options.getOrDefault("--out", "bench/target/pipeline-bench"));
    List<String> jvmArgs =
        List.of(options.getOrDefault("--child-jvm-args", "-Xms256m -Xmx1g").trim().split("\\s+"));
    Duration childTimeout =
        Duration.ofSeconds(Long.parseLong(options.getOrDefault("--child-timeout-s", "900")));
    long seed = Long.parseLong(options.getOrDefault("--seed", "42"));
    if (!Files.isRegularFile(corpus)) {
      throw new IllegalArgumentException("corpus not found: " + corpus.toAbsolutePath());
    }

    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    Workload workload = Workload.fromCorpus(corpus, texts);
    Files.createDirectories(outDir);
    Path workloadFile = outDir.resolve("workload.json");
    workload.write(workloadFile, json);
    List<Scenario> scenarios = new ArrayList<>();
    for (String name : scenarioNames) {
      scenarios.add(
          switch (name.strip()) {
            case "tokens" -> Scenario.tokensBound(workload.tokens(), tokensSeconds);
            case "latency" -> Scenario.latencyBound();
            case "faults" -> Scenario.faulty();
            case "short-window" -> Scenario.shortWindow();
            default ->
                throw new IllegalArgumentException(
                    "scenario must be one of tokens, latency, faults, short-window; was '"
                        + name
                        + "'");
          });
    }
    out.printf(
        "workload: %,d chunks of %,d documents from %s, %,d tokens (simulator count), %.1f per"
            + " chunk%n",
        workload.size(),
        workload.documents().size(),
        corpus,
        workload.tokens(),
        workload.tokens() / (double) workload.size());
    out.printf(
        "machine: %d cores, %s %s, %s%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"),
        inProcess ? "contenders in this JVM" : "one JVM per contender " + jvmArgs);

    BenchRunner.Launcher launcher =
        inProcess
            ? BenchRunner.inProcess()
            : BenchRunner.childProcess(
                outDir,
                workloadFile.toAbsolutePath(),
                System.getProperty("java.class.path"),
                jvmArgs,
                childTimeout);
    BenchRunner runner =
        new BenchRunner(
            launcher, documentsInFlight, seed, Optional.of(outDir.resolve("timelines")));
    List<RunResult> all = new ArrayList<>();
    for (Scenario scenario : scenarios) {
      out.printf("%nscenario %s: %s%n", scenario.name(), scenario.description());
      for (int run = 1; run <= runs; run++) {
        for (int k = 0; k < kinds.size(); k++) {
          Contender.Kind kind = kinds.get((k + run - 1) % kinds.size()); // rotate the order
          RunResult r = runner.runOnce(scenario, run, kind, workload);
          all.add(r);
          out.printf(
              "  run %d %-16s %7.1f s  %,9.0f tokens/s  %5.1f%% of ceiling  %,6d 429s  %,5d lost"
                  + "%s%n",
              run,
              kind.label(),
              r.wallSeconds(),
              r.tokensPerSecond(),
              100 * r.shareOfCeiling(),
              r.throttled(),
              r.lost(),
              r.firstError().isEmpty() ? "" : "  (" + abbreviate(r.firstError(), 100) + ")");
          out.printf("      timeline: %s%n", r.timeline());
        }
      }
    }

    List<RunResult> medians = Report.medians(all);
    StringBuilder md = new StringBuilder();
    md.append("Run ").append(Instant.now()).append(", ").append(runs).append(" run(s) each; ");
    md.append(
        Report.fmt(
            "workload %,d chunks (%,d tokens); %d cores, %s %s.%n",
            workload.size(),
            workload.tokens(),
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.vm.name"),
            System.getProperty("java.version")));
    for (Scenario scenario : scenarios) {
      List<String[]> rows = Report.rows(medians, scenario.name());
      out.printf("%n== %s: %s ==%n", scenario.name(), scenario.description());
      out.print(Report.text(rows));
      md.append("\n### ").append(scenario.name()).append(": ").append(scenario.description());
      md.append("\n\n").append(Report.markdown(rows));
      for (RunResult r : medians) {
        if (!r.scenario().equals(scenario.name())) {
          continue;
        }
        double[] spread = Report.spread(all, r.scenario(), r.contender());
        String line =
            Report.fmt(
                    "- %s: %s; ceiling bound by %s; throughput over %d run(s) %,.0f–%,.0f tokens/s;"
                        + " peak %d in flight; %,d texts embedded twice%s%n",
                    r.contender(),
                    r.settings(),
                    r.binding().isEmpty() ? "–" : r.binding(),
                    runs,
                    spread[0],
                    spread[1],
                    r.peakInFlight(),
                    r.duplicateEmbeddings(),
                    r.firstError().isEmpty()
                        ? ""
                        : "; first error: " + abbreviate(r.firstError(), 200))
                + Report.fmt("  timeline: %s%n", r.timeline());
        out.print("  " + line);
        md.append(line);
      }
    }
    Files.writeString(outDir.resolve("results.md"), md.toString());
    json.writeValue(outDir.resolve("results.json").toFile(), all);
    out.printf("%nresults: %s and results.json%n", outDir.resolve("results.md"));
  }

  private static String abbreviate(String s, int max) {
    String oneLine = s.replaceAll("\\s+", " ");
    return oneLine.length() <= max ? oneLine : oneLine.substring(0, max - 1) + "…";
  }
}
