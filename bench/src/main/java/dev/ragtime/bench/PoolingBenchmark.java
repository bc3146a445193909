package dev.ragtime.bench;

import dev.ragtime.simulator.ProviderSimulator;
import dev.ragtime.simulator.SimulatorConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How much connection reuse is worth against the in-process simulator: the same small embedding
 * request (one input, 64 dimensions, no simulated latency) sent from {@code --concurrency} virtual
 * threads for {@code --seconds} each, by three transports:
 *
 * <ul>
 *   <li>{@code jdk-pooled}: one JDK {@link HttpClient} (HTTP/1.1 keep-alive), as Ragtime's {@code
 *       ProviderClient} sends;
 *   <li>{@code url-keepalive}: {@link HttpURLConnection} with the JDK's keep-alive cache;
 *   <li>{@code url-close}: {@link HttpURLConnection} with {@code Connection: close}, a new TCP
 *       connection per call, as the thread-and-queue replica ({@code LegacyContender}) sends;
 *   <li>{@code jdk-client-per-call}: a new JDK {@link HttpClient} per call (a new connection and a
 *       new selector thread each time), the variant an earlier figure in simulator/README.md used.
 * </ul>
 *
 * <p>It prints requests per second, the connections the simulator accepted, and two ratios: {@code
 * url-keepalive ÷ url-close} isolates the cost of a connection per call (same client code), {@code
 * jdk-pooled ÷ url-close} compares Ragtime's transport with the replica's. Loopback, no TLS: a real
 * endpoint adds a TLS handshake to every new connection, so the gap there is larger. Client and
 * simulator share the CPU, so absolute numbers depend on what else runs; the ratio is the figure to
 * quote. Transports alternate for {@code --rounds} rounds so that a change in background load hits
 * each alike.
 */
public final class PoolingBenchmark {
  private static final String USAGE =
      """
      Usage: java -cp <bench classpath> dev.ragtime.bench.PoolingBenchmark [options]
        --concurrency N   virtual threads sending at once (default 16)
        --seconds S       measured seconds per transport and round (default 3)
        --rounds N        rounds; each runs every transport once, in turn (default 3)
      """;

  private static final String BODY = "{\"model\":\"ragtime-sim-embed\",\"input\":[\"pooling\"]}";

  private PoolingBenchmark() {}

  /** A transport: sends one request and returns its HTTP status. */
  @FunctionalInterface
  interface Transport {
    int send(URI endpoint) throws IOException, InterruptedException;
  }

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--help") || args[i].equals("-h")) {
        out.print(USAGE);
        return;
      }
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        out.print(USAGE);
        throw new IllegalArgumentException("bad argument " + args[i]);
      }
      options.put(args[i], args[++i]);
    }
    int concurrency = Integer.parseInt(options.getOrDefault("--concurrency", "16"));
    double seconds = Double.parseDouble(options.getOrDefault("--seconds", "3"));
    int rounds = Integer.parseInt(options.getOrDefault("--rounds", "3"));
    if (concurrency < 1 || seconds <= 0 || rounds < 1) {
      throw new IllegalArgumentException(
          "concurrency, seconds and rounds must be positive, were "
              + concurrency
              + ", "
              + seconds
              + ", "
              + rounds);
    }
    // The keep-alive cache of HttpURLConnection keeps 5 idle connections per host by default; let
    // it keep one per sending thread, as a pool sized for the concurrency would.
    System.setProperty("http.maxConnections", Integer.toString(concurrency));
    SimulatorConfig config = SimulatorConfig.builder().dimension(64).trackTexts(false).build();
    try (var sim = ProviderSimulator.start(config);
        var jdk =
            HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build()) {
      URI endpoint = sim.baseUri().resolve("/v1/embeddings");
      Map<String, Transport> transports = new LinkedHashMap<>();
      transports.put("jdk-pooled", e -> jdkSend(jdk, e));
      transports.put("url-keepalive", e -> urlSend(e, false));
      transports.put("url-close", e -> urlSend(e, true));
      transports.put("jdk-client-per-call", PoolingBenchmark::jdkClientPerCall);
      Map<String, List<Double>> rates = new LinkedHashMap<>();
      Map<String, Long> connections = new LinkedHashMap<>();
      Map<String, Long> errors = new LinkedHashMap<>();
      for (var t : transports.entrySet()) {
        measure(t.getValue(), endpoint, concurrency, 1.0); // warm-up: class loading, JIT
        rates.put(t.getKey(), new ArrayList<>());
        connections.put(t.getKey(), 0L);
        errors.put(t.getKey(), 0L);
      }
      for (int round = 0; round < rounds; round++) {
        for (var t : transports.entrySet()) {
          long before = sim.counters().connectionsAccepted();
          Rate rate = measure(t.getValue(), endpoint, concurrency, seconds);
          rates.get(t.getKey()).add(rate.requestsPerSecond());
          errors.merge(t.getKey(), rate.errors(), Long::sum);
          connections.merge(t.getKey(), sim.counters().connectionsAccepted() - before, Long::sum);
        }
      }
      out.printf(
          "pooled vs new connection per call: 1 input, 64 dims, concurrency %d, %d rounds of %.1f s%n",
          concurrency, rounds, seconds);
      out.println(
          "| transport | requests/s (median of rounds) | rounds | connections accepted | failed"
              + " requests |");
      out.println("| --- | --- | --- | --- | --- |");
      for (var t : transports.keySet()) {
        out.printf(
            "| %s | %,.0f | %s | %,d | %,d |%n",
            t, median(rates.get(t)), format(rates.get(t)), connections.get(t), errors.get(t));
      }
      double close = median(rates.get("url-close"));
      out.printf(
          "ratio url-keepalive / url-close: %.1fx (the cost of a connection per call)%n",
          median(rates.get("url-keepalive")) / close);
      out.printf(
          "ratio jdk-pooled / url-close: %.1fx (Ragtime's transport vs the replica's)%n",
          median(rates.get("jdk-pooled")) / close);
    }
  }

  /** What one transport did in one measured interval. */
  record Rate(double requestsPerSecond, long errors) {}

  /**
   * Requests per second completed with status 200 by {@code concurrency} virtual threads, and the
   * requests that failed (an I/O error or another status; the thread goes on with the next).
   */
  static Rate measure(Transport transport, URI endpoint, int concurrency, double seconds)
      throws InterruptedException {
    long stopAt = System.nanoTime() + (long) (seconds * 1e9);
    AtomicLong ok = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    CountDownLatch done = new CountDownLatch(concurrency);
    long start = System.nanoTime();
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < concurrency; i++) {
        threads.execute(
            () -> {
              try {
                while (System.nanoTime() < stopAt) {
                  try {
                    if (transport.send(endpoint) == 200) {
                      ok.incrementAndGet();
                    } else {
                      errors.incrementAndGet();
                    }
                  } catch (IOException e) {
                    errors.incrementAndGet();
                  }
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                done.countDown();
              }
            });
      }
      done.await();
    }
    long elapsed = System.nanoTime() - start;
    return new Rate(ok.get() / (elapsed / 1e9), errors.get());
  }

  static int jdkSend(HttpClient client, URI endpoint) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(endpoint)
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(BODY))
            .build();
    return client.send(request, HttpResponse.BodyHandlers.ofByteArray()).statusCode();
  }

  static int jdkClientPerCall(URI endpoint) throws IOException, InterruptedException {
    try (var client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build()) {
      return jdkSend(client, endpoint);
    }
  }

  static int urlSend(URI endpoint, boolean closeEachTime) throws IOException {
    HttpURLConnection connection = (HttpURLConnection) endpoint.toURL().openConnection();
    try {
      connection.setRequestMethod("POST");
      connection.setConnectTimeout(10_000);
      connection.setReadTimeout(30_000);
      connection.setDoOutput(true);
      if (closeEachTime) {
        connection.setRequestProperty("Connection", "close");
      }
      connection.setRequestProperty("Content-Type", "application/json");
      try (OutputStream body = connection.getOutputStream()) {
        body.write(BODY.getBytes(StandardCharsets.UTF_8));
      }
      int status = connection.getResponseCode();
      try (InputStream in =
          status == 200 ? connection.getInputStream() : connection.getErrorStream()) {
        if (in != null) {
          in.readAllBytes(); // read to the end, so a keep-alive connection can be reused
        }
      }
      return status;
    } finally {
      if (closeEachTime) {
        connection.disconnect();
      }
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static String format(List<Double> values) {
    List<String> parts = new ArrayList<>();
    for (double v : values) {
      parts.add(String.format("%,.0f", v));
    }
    return String.join(", ", parts);
  }
}
