package dev.ragtime.simulator;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Command line of the standalone simulator ({@link ProviderSimulator#main}). The only class of the
 * module that prints.
 */
final class SimulatorMain {

  private static final String USAGE =
      """
      Usage: java -cp ... dev.ragtime.simulator.ProviderSimulator [options]
        --port N                     port on 127.0.0.1 (default 0: ephemeral)
        --model NAME                 default/TEI model name (default %s)
        --strict-model               reject other model names with 404
        --dimension N                vector length (default %d)
        --rpm N                      requests per minute, 0 = unlimited (default 0)
        --tpm N                      tokens per minute, 0 = unlimited (default 0)
        --burst-window-ms N          window the per-minute limits are enforced over (default 1000)
        --max-concurrency N          concurrent admitted requests, 0 = unlimited (default 0)
        --max-inputs N               inputs per request (default %d)
        --max-tokens-per-request N   (default %d)
        --max-tokens-per-input N     (default %d)
        --latency-ms N               base latency
        --latency-per-token-us N     latency per token, microseconds
        --jitter-ms N                uniform random extra latency, upper bound
        --reset P --http500 P --http502 P --http503 P --slow P --hang P   fault probabilities
        --slow-ms N                  extra delay of a slow response (default 2000)
        --seed N                     seed of faults and jitter (default %d)
        --no-track-texts             do not count embeddings per distinct text
        --no-admin                   do not serve /_sim/* control endpoints
        --help
      """
          .formatted(
              SimulatorConfig.DEFAULT_MODEL,
              SimulatorConfig.DEFAULT_DIMENSION,
              SimulatorConfig.DEFAULT_MAX_INPUTS_PER_REQUEST,
              SimulatorConfig.DEFAULT_MAX_TOKENS_PER_REQUEST,
              SimulatorConfig.DEFAULT_MAX_TOKENS_PER_INPUT,
              SimulatorConfig.DEFAULT_SEED);

  private SimulatorMain() {}

  static void run(String[] args) throws InterruptedException {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    SimulatorConfig config;
    try {
      config = parse(args);
    } catch (IllegalArgumentException e) {
      PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
      err.println("error: " + e.getMessage());
      err.print(USAGE);
      System.exit(2);
      return;
    }
    if (config == null) {
      out.print(USAGE);
      return;
    }
    ProviderSimulator simulator = ProviderSimulator.start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            Thread.ofPlatform()
                .name("ragtime-sim-shutdown")
                .unstarted(
                    () -> {
                      out.println("counters: " + simulator.counters());
                      simulator.close();
                      stopped.countDown();
                    }));
    out.println("ragtime provider simulator listening on " + simulator.baseUri());
    out.println("  OpenAI: POST " + simulator.baseUri() + "/v1/embeddings");
    out.println("  Ollama: POST " + simulator.baseUri() + "/api/embed");
    out.println("  TEI:    POST " + simulator.baseUri() + "/embed");
    out.println("  config: " + config);
    stopped.await();
  }

  /** The config the arguments describe; null for {@code --help}. */
  static SimulatorConfig parse(String[] args) {
    SimulatorConfig.Builder config = SimulatorConfig.builder().adminEndpoints(true);
    Faults.Builder faults = Faults.builder();
    for (int i = 0; i < args.length; i++) {
      String option = args[i];
      switch (option) {
        case "--help", "-h" -> {
          return null;
        }
        case "--strict-model" -> config.acceptAnyModel(false);
        case "--no-track-texts" -> config.trackTexts(false);
        case "--no-admin" -> config.adminEndpoints(false);
        default -> {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException("missing value after " + option);
          }
          String value = args[++i];
          try {
            apply(option, value, config, faults);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad number for " + option + ": " + value);
          }
        }
      }
    }
    return config.faults(faults.build()).build();
  }

  private static void apply(
      String option, String value, SimulatorConfig.Builder config, Faults.Builder faults) {
    switch (option) {
      case "--port" -> config.port(Integer.parseInt(value));
      case "--model" -> config.model(value);
      case "--dimension" -> config.dimension(Integer.parseInt(value));
      case "--rpm" -> config.requestsPerMinute(Integer.parseInt(value));
      case "--tpm" -> config.tokensPerMinute(Long.parseLong(value));
      case "--burst-window-ms" -> config.burstWindow(Duration.ofMillis(Long.parseLong(value)));
      case "--max-concurrency" -> config.maxConcurrentRequests(Integer.parseInt(value));
      case "--max-inputs" -> config.maxInputsPerRequest(Integer.parseInt(value));
      case "--max-tokens-per-request" -> config.maxTokensPerRequest(Integer.parseInt(value));
      case "--max-tokens-per-input" -> config.maxTokensPerInput(Integer.parseInt(value));
      case "--latency-ms" -> config.baseLatency(Duration.ofMillis(Long.parseLong(value)));
      case "--latency-per-token-us" ->
          config.latencyPerToken(Duration.ofNanos(Long.parseLong(value) * 1000));
      case "--jitter-ms" -> config.latencyJitter(Duration.ofMillis(Long.parseLong(value)));
      case "--seed" -> config.seed(Long.parseLong(value));
      case "--reset" -> faults.resetProbability(Double.parseDouble(value));
      case "--http500" -> faults.http500Probability(Double.parseDouble(value));
      case "--http502" -> faults.http502Probability(Double.parseDouble(value));
      case "--http503" -> faults.http503Probability(Double.parseDouble(value));
      case "--slow" -> faults.slowProbability(Double.parseDouble(value));
      case "--slow-ms" -> faults.slowDelay(Duration.ofMillis(Long.parseLong(value)));
      case "--hang" -> faults.hangProbability(Double.parseDouble(value));
      default -> throw new IllegalArgumentException("unknown option " + option);
    }
  }
}
