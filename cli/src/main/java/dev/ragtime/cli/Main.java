package dev.ragtime.cli;

import dev.ragtime.app.Ragtime;
import dev.ragtime.app.RagtimeConfig;
import dev.ragtime.config.Settings;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code ragtime}: the command-line entry point. This package is the only one that prints.
 *
 * <p>Exit status: 0 on success, 1 when the command failed (one line on stderr says why), 2 for a
 * usage error.
 */
@Command(
    name = "ragtime",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description =
        "Retrieval for AI agents: ingest documents, then search them (BM25, vector, hybrid).",
    subcommands = {
      ServeCommand.class,
      McpCommand.class,
      IngestCommand.class,
      SearchCommand.class,
      DeleteCommand.class,
      StatsCommand.class,
      EvalCommand.class,
      WorkerCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {
      "",
      "Configuration: a YAML file (--config, RAGTIME_CONFIG or ./ragtime.yml) and RAGTIME_* environment",
      "variables, which win. See the README for every key."
    })
public final class Main implements Runnable {

  /** Held so the level sticks: java.util.logging keeps loggers weakly. */
  private static final java.util.logging.Logger LUCENE_LOG =
      java.util.logging.Logger.getLogger("org.apache.lucene");

  /**
   * Lucene's notes on whether its SIMD vector code is on. The launcher leaves it off on purpose for
   * one-shot commands (they run without the optimising compiler, which it needs), so a warning
   * about it would only alarm; ingest and eval run with it on.
   */
  private static final java.util.logging.Logger LUCENE_VECTORIZATION_LOG =
      java.util.logging.Logger.getLogger("org.apache.lucene.internal.vectorization");

  @Option(
      names = "--data",
      paramLabel = "DIR",
      scope = ScopeType.INHERIT,
      description = "Data directory (default: $RAGTIME_DATA or ./ragtime-data).")
  Path data;

  @Option(
      names = "--store",
      paramLabel = "URL",
      scope = ScopeType.INHERIT,
      description =
          "Shared PostgreSQL store, postgres://user@host:5432/database (default: $RAGTIME_STORE;"
              + " without one, the Lucene collections under --data). The password is read only"
              + " from RAGTIME_STORE_PASSWORD or PGPASSWORD.")
  String store;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description =
          "YAML configuration file (default: $RAGTIME_CONFIG or ./ragtime.yml if present).")
  Path configFile;

  @Option(
      names = {"-v", "--verbose"},
      scope = ScopeType.INHERIT,
      description = "Log more detail to stderr.")
  boolean verbose;

  final Map<String, String> env;
  final PrintWriter out;
  final PrintWriter err;
  final boolean terminal;

  Main(Map<String, String> env, PrintWriter out, PrintWriter err, boolean terminal) {
    this.env = env;
    this.out = out;
    this.err = err;
    this.terminal = terminal;
  }

  @Override
  public void run() {
    new CommandLine(this).usage(out);
  }

  /** Resolves configuration and builds the services; the caller closes the result. */
  Ragtime ragtime() {
    return Ragtime.create(config());
  }

  /** Like {@link #ragtime()}, with every meter registered on {@code meters}. */
  Ragtime ragtime(io.micrometer.core.instrument.MeterRegistry meters) {
    return Ragtime.create(config(), meters);
  }

  /** The resolved configuration (settings file, environment and the global options). */
  RagtimeConfig config() {
    Settings settings =
        Settings.load(Settings.locateFile(Optional.ofNullable(configFile), env), env);
    return RagtimeConfig.from(settings, Optional.ofNullable(data), Optional.ofNullable(store), env);
  }

  public static void main(String[] args) {
    // Lucene reports at INFO through java.util.logging that the vector API is on; users do not
    // need that on every command.
    LUCENE_LOG.setLevel(java.util.logging.Level.WARNING);
    LUCENE_VECTORIZATION_LOG.setLevel(java.util.logging.Level.SEVERE);
    if (Boolean.getBoolean("ragtime.verbose")
        || java.util.Arrays.asList(args).contains("-v")
        || java.util.Arrays.asList(args).contains("--verbose")) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
    }
    var out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    var err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    int code = run(args, System.getenv(), out, err, Boolean.getBoolean("ragtime.tty"));
    out.flush();
    err.flush();
    System.exit(code);
  }

  /** Runs the CLI in-process (tests call this). */
  static int run(
      String[] args, Map<String, String> env, PrintWriter out, PrintWriter err, boolean terminal) {
    var cmd = new CommandLine(new Main(env, out, err, terminal));
    cmd.setOut(out);
    cmd.setErr(err);
    cmd.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          err.println("ragtime: " + Failures.oneLine(ex));
          if (Boolean.parseBoolean(env.getOrDefault("RAGTIME_DEBUG_STACKTRACE", "false"))) {
            ex.printStackTrace(err);
          }
          err.flush();
          return 1;
        });
    cmd.setParameterExceptionHandler(
        (ex, args2) -> {
          err.println("ragtime: " + ex.getMessage());
          err.println("Try 'ragtime " + commandName(ex) + "--help' for usage.");
          err.flush();
          return 2;
        });
    return cmd.execute(args);
  }

  private static String commandName(CommandLine.ParameterException ex) {
    String name = ex.getCommandLine().getCommandName();
    return "ragtime".equals(name) ? "" : name + " ";
  }

  /** Version from the jar manifest when packaged. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"ragtime " + (v == null ? "development build" : v)};
    }
  }
}
