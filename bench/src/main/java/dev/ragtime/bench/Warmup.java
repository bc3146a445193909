package dev.ragtime.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The warm-up every contender does before its clock starts: {@link #REQUESTS} requests of {@link
 * #TEXTS_PER_REQUEST} short texts, one after another, through its own client (class loading, JIT,
 * the HTTP client's first connection: costs a long ingestion pays once, not per text), then the
 * simulator's counters are zeroed so the tables show only the timed work. The provider's rate-limit
 * buckets are not refilled; the warm-up costs them {@value #REQUESTS} requests and about 1,300
 * tokens. Adaptive state (Ragtime's concurrency limit) is not warmed: one request at a time does
 * not grow it.
 */
final class Warmup {
  static final int REQUESTS = 16;
  static final int TEXTS_PER_REQUEST = 16;

  private Warmup() {}

  /** The texts of warm-up request {@code request} (distinct, and in no workload). */
  static List<String> texts(int request) {
    List<String> texts = new ArrayList<>(TEXTS_PER_REQUEST);
    for (int i = 0; i < TEXTS_PER_REQUEST; i++) {
      texts.add("warm-up request " + request + ", text " + i + ": not part of the workload");
    }
    return texts;
  }

  /**
   * Runs {@code send} for each warm-up request in turn, then zeroes the simulator's counters. Best
   * effort: a failed warm-up request is ignored (the timed run reports failures).
   */
  static void run(URI baseUrl, Consumer<List<String>> send) {
    for (int r = 0; r < REQUESTS; r++) {
      try {
        send.accept(texts(r));
      } catch (RuntimeException e) {
        // the provider may be failing on purpose; only the timed run counts
      }
    }
    resetCounters(baseUrl);
  }

  /**
   * Zeroes the counters of the simulator serving {@code baseUrl} ({@code POST /_sim/reset}; the
   * simulator must serve its admin endpoints).
   *
   * @throws UncheckedIOException when the simulator does not answer 200
   */
  static void resetCounters(URI baseUrl) {
    URI reset = baseUrl.resolve("/_sim/reset");
    try {
      HttpURLConnection connection = (HttpURLConnection) reset.toURL().openConnection();
      try {
        connection.setRequestMethod("POST");
        connection.setRequestProperty("Connection", "close");
        int status = connection.getResponseCode();
        if (status != 200) {
          throw new IOException("POST " + reset + " answered " + status);
        }
        connection.getInputStream().readAllBytes();
      } finally {
        connection.disconnect();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reset the simulator's counters", e);
    }
  }
}
