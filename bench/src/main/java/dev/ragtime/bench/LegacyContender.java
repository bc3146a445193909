package dev.ragtime.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica of the "threads plus queues" design Ragtime replaces (DESIGN.md §1), written as such
 * systems are: the texts are cut into fixed-size batches (by count, not tokens) and put on an
 * unbounded {@link LinkedBlockingQueue}; a fixed pool of worker threads takes batches off it; each
 * call opens a new connection ({@code Connection: close}, so no keep-alive pool); a failed call
 * (429, 5xx, I/O error) is retried after a fixed sleep, whatever {@code Retry-After} says; after
 * {@link #MAX_RETRIES} retries the batch is dropped with a log line, and its texts are lost. There
 * is no client-side rate limit: the workers send as fast as the provider answers.
 *
 * <p>Deliberately not how Ragtime code is written; it exists to be measured.
 */
final class LegacyContender implements Contender {
  private static final Logger LOG = LoggerFactory.getLogger(LegacyContender.class);

  static final int MAX_RETRIES = 3;
  static final long RETRY_SLEEP_MILLIS = 1_000;
  static final int CONNECT_TIMEOUT_MILLIS = 10_000;
  static final int READ_TIMEOUT_MILLIS = 30_000;

  private final ObjectMapper json = new ObjectMapper();

  @Override
  public Outcome run(Workload workload, Target target) throws InterruptedException {
    Scenario s = target.scenario();
    URI endpoint = URI.create(target.baseUrl() + "/embeddings");
    List<String> texts = workload.texts();
    LinkedBlockingQueue<List<String>> queue = new LinkedBlockingQueue<>();
    for (int i = 0; i < texts.size(); i += s.maxBatch()) {
      queue.add(texts.subList(i, Math.min(texts.size(), i + s.maxBatch())));
    }
    Map<String, float[]> vectors = new ConcurrentHashMap<>();
    AtomicLong retries = new AtomicLong();
    AtomicReference<String> firstError = new AtomicReference<>("");
    AtomicInteger threadNumber = new AtomicInteger();
    int workers = s.concurrency();
    Warmup.run(
        target.baseUrl(),
        warmup -> {
          try {
            call(endpoint, target.apiKey(), warmup);
          } catch (IOException e) {
            throw new UncheckedIOException("warm-up failed", e);
          }
        });
    long start = System.nanoTime();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            workers,
            r -> new Thread(r, "legacy-embedding-worker-" + threadNumber.incrementAndGet()));
    for (int w = 0; w < workers; w++) {
      pool.execute(
          () -> {
            List<String> batch;
            while ((batch = queue.poll()) != null) {
              embedWithRetries(endpoint, target.apiKey(), batch, vectors, retries, firstError);
            }
          });
    }
    pool.shutdown();
    if (!pool.awaitTermination(1, TimeUnit.HOURS)) {
      pool.shutdownNow();
    }
    long end = System.nanoTime();
    return new Outcome(
        vectors,
        end - start,
        OptionalLong.of(retries.get()),
        firstError.get(),
        workers
            + " worker threads, batch "
            + s.maxBatch()
            + " texts, new connection per call, "
            + MAX_RETRIES
            + " retries after a fixed "
            + RETRY_SLEEP_MILLIS
            + " ms (Retry-After ignored), then the batch is dropped");
  }

  private void embedWithRetries(
      URI endpoint,
      String apiKey,
      List<String> batch,
      Map<String, float[]> vectors,
      AtomicLong retries,
      AtomicReference<String> firstError) {
    for (int attempt = 0; ; attempt++) {
      String failure;
      try {
        List<float[]> result = call(endpoint, apiKey, batch);
        for (int i = 0; i < batch.size(); i++) {
          vectors.put(batch.get(i), result.get(i));
        }
        return;
      } catch (IOException | RuntimeException e) {
        failure = e.toString();
      }
      if (attempt >= MAX_RETRIES) {
        LOG.warn(
            "dropping batch of {} texts after {} attempts: {}", batch.size(), attempt + 1, failure);
        firstError.compareAndSet("", failure);
        return;
      }
      retries.incrementAndGet();
      try {
        Thread.sleep(RETRY_SLEEP_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private List<float[]> call(URI endpoint, String apiKey, List<String> batch) throws IOException {
    HttpURLConnection connection = (HttpURLConnection) endpoint.toURL().openConnection();
    try {
      connection.setRequestMethod("POST");
      connection.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
      connection.setReadTimeout(READ_TIMEOUT_MILLIS);
      connection.setDoOutput(true);
      connection.setRequestProperty("Connection", "close");
      connection.setRequestProperty("Content-Type", "application/json");
      connection.setRequestProperty("Authorization", "Bearer " + apiKey);
      byte[] body = json.writeValueAsBytes(Map.of("model", Scenario.MODEL, "input", batch));
      try (OutputStream out = connection.getOutputStream()) {
        out.write(body);
      }
      int status = connection.getResponseCode();
      if (status != 200) {
        try (InputStream err = connection.getErrorStream()) {
          if (err != null) {
            err.readAllBytes();
          }
        }
        throw new IOException("HTTP " + status);
      }
      JsonNode root;
      try (InputStream in = connection.getInputStream()) {
        root = json.readTree(in);
      }
      JsonNode data = root.get("data");
      if (data == null || data.size() != batch.size()) {
        throw new IOException("malformed response: expected " + batch.size() + " embeddings");
      }
      List<float[]> out = new ArrayList<>(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        out.add(null);
      }
      for (JsonNode item : data) {
        JsonNode embedding = item.get("embedding");
        float[] v = new float[embedding.size()];
        for (int k = 0; k < v.length; k++) {
          v[k] = (float) embedding.get(k).asDouble();
        }
        out.set(item.get("index").asInt(), v);
      }
      return out;
    } finally {
      connection.disconnect();
    }
  }
}
