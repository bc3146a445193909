package dev.ragtime.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * An embedding provider on 127.0.0.1 for tests and benchmarks: a real HTTP/1.1 server that speaks
 * the OpenAI ({@code POST /v1/embeddings}), Ollama ({@code POST /api/embed}) and Hugging Face TEI
 * ({@code POST /embed}) embedding APIs, enforces rate limits and request caps like a hosted
 * provider, adds latency, and injects faults on demand.
 *
 * {@snippet :
 * try (var sim = ProviderSimulator.start(SimulatorConfig.builder().requestsPerMinute(600).build())) {
 *   URI endpoint = sim.baseUri().resolve("/v1/embeddings");
 *   // ... drive the client under test ...
 *   assertThat(sim.counters().timesEmbedded("hello")).isEqualTo(1);
 * }
 * }
 *
 * <p><b>Vectors</b> are a pure function of (model name, text, dimension): {@link #expectedVector}.
 * Two simulators serving the same model name return identical vectors.
 *
 * <p><b>Tokens</b> are counted with {@link #countTokens}; {@code usage} and the limits use it.
 *
 * <p><b>Limits</b>: see {@link SimulatorConfig} for the bucket model. Every response on an
 * embedding endpoint carries, for each limit configured, {@code x-ratelimit-limit-requests}, {@code
 * x-ratelimit-remaining-requests}, {@code x-ratelimit-reset-requests} and the same three for {@code
 * -tokens}; limit and remaining are against the per-minute quota, reset is the time until the quota
 * is full again, formatted by {@link #formatResetDuration}. A 429 carries {@code Retry-After}
 * (whole seconds, rounded up, at least 1) and {@code retry-after-ms} (milliseconds, rounded up, at
 * least 1); after waiting that long the same request is admitted if nothing else consumed the
 * quota. Rejected requests are not charged. For 429 caused by the concurrency limit the wait is the
 * base latency (at least 1 ms); for a storm it is the rest of the storm.
 *
 * <p><b>Caps</b> ({@code maxInputsPerRequest}, {@code maxTokensPerInput}, {@code
 * maxTokensPerRequest}) answer 400 (TEI: 413) with OpenAI codes {@code too_many_inputs}, {@code
 * context_length_exceeded} and {@code max_tokens_per_request} and messages such as "too many
 * inputs: 3000 > 2048 (maximum inputs per request)", "This model's maximum context length is 8192
 * tokens, however input 3 has 9000 tokens..." and "too many tokens in request: 400000 > 300000
 * (maximum tokens per request)".
 *
 * <p><b>Faults and switches</b>: {@link Faults} (per admitted request, seeded), {@link #setDown}
 * (503 for everything), {@link #storm429} (429 for everything for a while). Order of decisions: see
 * the Javadoc of the package.
 *
 * <p><b>Connections</b>: HTTP/1.1 keep-alive; {@code Connection: close} is honoured; idle
 * connections close after {@link SimulatorConfig#idleTimeout()}. Every accepted connection is
 * counted ({@link SimulatorCounters#connectionsAccepted()}).
 *
 * <p><b>Threads</b>: the simulator owns its threads, all virtual and named {@code
 * ragtime-sim-<port>-...}: one acceptor and one per connection. {@link #close()} stops them all.
 *
 * <p>Thread-safe. Must be closed.
 */
public final class ProviderSimulator implements AutoCloseable {

  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

  private final SimulatorConfig config;
  private final ServerSocket serverSocket;
  private final int port;
  private final URI baseUri;
  private final SimulatorCounters counters = new SimulatorCounters();
  private final ObjectMapper json = new ObjectMapper();
  private final SimulatedProvider provider;
  private final ExecutorService connectionThreads;
  private final Thread acceptor;
  private final Set<ConnectionHandler> connections = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private ProviderSimulator(
      SimulatorConfig config, ServerSocket serverSocket, LongSupplier nanoClock) {
    this.config = config;
    this.serverSocket = serverSocket;
    this.port = serverSocket.getLocalPort();
    this.baseUri = URI.create("http://127.0.0.1:" + port);
    this.provider = new SimulatedProvider(config, counters, nanoClock, json);
    this.connectionThreads =
        Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("ragtime-sim-" + port + "-conn-", 0).factory());
    this.acceptor =
        Thread.ofVirtual().name("ragtime-sim-" + port + "-accept").unstarted(this::acceptLoop);
  }

  /**
   * Binds 127.0.0.1 on {@code config.port()} (0 for an ephemeral port) and starts serving.
   *
   * @throws UncheckedIOException when the port cannot be bound
   */
  public static ProviderSimulator start(SimulatorConfig config) {
    return start(config, System::nanoTime);
  }

  /** As {@link #start(SimulatorConfig)} with a nanosecond clock for the limits (tests). */
  static ProviderSimulator start(SimulatorConfig config, LongSupplier nanoClock) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(nanoClock, "nanoClock");
    ServerSocket serverSocket = null;
    try {
      serverSocket = new ServerSocket();
      serverSocket.setReuseAddress(true);
      serverSocket.bind(new InetSocketAddress(loopback(), config.port()), 4096);
      ProviderSimulator simulator = new ProviderSimulator(config, serverSocket, nanoClock);
      simulator.acceptor.start();
      return simulator;
    } catch (IOException e) {
      if (serverSocket != null) {
        try {
          serverSocket.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw new UncheckedIOException("cannot bind 127.0.0.1:" + config.port(), e);
    }
  }

  private static InetAddress loopback() throws UnknownHostException {
    return InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
  }

  private void acceptLoop() {
    while (!closed) {
      Socket socket;
      try {
        socket = serverSocket.accept();
      } catch (IOException e) {
        if (closed) {
          return;
        }
        continue; // e.g. a connection aborted before accept completed
      }
      counters.onConnectionOpened();
      ConnectionHandler handler =
          new ConnectionHandler(socket, provider, counters, config, json, connections::remove);
      connections.add(handler);
      if (closed) {
        handler.closeQuietly();
        connections.remove(handler);
        counters.onConnectionClosed();
        return;
      }
      try {
        connectionThreads.execute(handler);
      } catch (RejectedExecutionException e) {
        handler.closeQuietly(); // closing
        connections.remove(handler);
        counters.onConnectionClosed();
        return;
      }
    }
  }

  /** The configuration this simulator runs with. */
  public SimulatorConfig config() {
    return config;
  }

  /** The bound port (the ephemeral one when the config asked for 0). */
  public int port() {
    return port;
  }

  /** {@code http://127.0.0.1:<port>}, without a trailing slash. */
  public URI baseUri() {
    return baseUri;
  }

  /** The live counters. */
  public SimulatorCounters counters() {
    return counters;
  }

  /**
   * While down, every embedding request is answered 503 (endpoint's error shape) at once, before
   * validation, limits or faults.
   */
  public void setDown(boolean down) {
    provider.setDown(down);
  }

  public boolean isDown() {
    return provider.isDown();
  }

  /**
   * From now for {@code duration}, every embedding request (unless down) is answered 429 with
   * {@code Retry-After}/{@code retry-after-ms} set to the rest of the storm. Zero or negative ends
   * a storm at once. Storm 429s are counted as {@link Throttle#STORM} and charge no quota.
   */
  public void storm429(Duration duration) {
    provider.storm429(Objects.requireNonNull(duration, "duration"));
  }

  /** Whether a 429 storm is in progress. */
  public boolean isStorming() {
    return provider.isStorming();
  }

  /** Replaces the fault probabilities for requests admitted from now on. */
  public void setFaults(Faults faults) {
    provider.setFaults(Objects.requireNonNull(faults, "faults"));
  }

  /** The fault probabilities in force. */
  public Faults faults() {
    return provider.faults();
  }

  /** Connections being served now (for leak checks). */
  int liveConnections() {
    return connections.size();
  }

  /** Whether any thread of this simulator is still running (for leak checks). */
  boolean threadsAlive() {
    return acceptor.isAlive() || !connectionThreads.isTerminated();
  }

  /**
   * Stops accepting, closes every connection (hung and sleeping requests included), waits for the
   * simulator's threads to end and releases the port. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      serverSocket.close();
    } catch (IOException e) {
      // closing anyway
    }
    boolean interrupted = false;
    try {
      acceptor.join(CLOSE_TIMEOUT);
    } catch (InterruptedException e) {
      interrupted = true;
    }
    for (ConnectionHandler connection : connections) {
      connection.closeQuietly();
    }
    connectionThreads.shutdownNow();
    try {
      if (!connectionThreads.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(
            "simulator threads did not stop within " + CLOSE_TIMEOUT + " on port " + port);
      }
    } catch (InterruptedException e) {
      interrupted = true;
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "ProviderSimulator[" + baseUri + ", " + config.model() + "]";
  }

  // ---- the model, for clients and tests ----

  /**
   * The vector the simulator returns for {@code text} under {@code model} with {@code dimension}
   * components: deterministic, L2-normalised, the same in every simulator and JVM; a shorter
   * dimension gives the re-normalised prefix of a longer one. The JSON float form parses back to
   * exactly these values with {@link Float#parseFloat}.
   *
   * @throws IllegalArgumentException when {@code dimension} is not positive
   */
  public static float[] expectedVector(String model, String text, int dimension) {
    return SimulatedEmbeddings.vector(model, text, dimension);
  }

  /**
   * The simulator's token count for one input: {@code max(1, ceil(text.length() / 4))}, where
   * {@code length()} counts UTF-16 code units. A request's tokens are the sum over its inputs.
   */
  public static int countTokens(String text) {
    return SimulatedEmbeddings.countTokens(Objects.requireNonNull(text, "text"));
  }

  /**
   * How the {@code x-ratelimit-reset-*} headers are written: Go duration syntax as OpenAI sends it,
   * rounded up to whole milliseconds ({@code 0s}, {@code 20ms}, {@code 1.5s}, {@code 6m0s}).
   */
  public static String formatResetDuration(Duration duration) {
    return RateLimiter.formatReset(duration.toNanos());
  }

  /** Decodes an OpenAI {@code encoding_format: base64} embedding (little-endian float32). */
  public static float[] decodeBase64Vector(String base64) {
    return SimulatedEmbeddings.fromBase64(base64);
  }

  /**
   * Runs a simulator until the process is stopped. Options: see {@code --help}. Admin endpoints are
   * on: {@code GET /_sim/counters}, {@code POST /_sim/reset}, {@code POST
   * /_sim/down?on=true|false}, {@code POST /_sim/storm?ms=N}, {@code POST
   * /_sim/faults?reset=P&http500=P&http502=P&http503=P&slow=P&slowMs=N&hang=P}.
   */
  public static void main(String[] args) throws InterruptedException {
    SimulatorMain.run(args);
  }
}
