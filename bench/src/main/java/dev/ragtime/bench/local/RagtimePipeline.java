package dev.ragtime.bench.local;

import dev.ragtime.app.Ragtime;
import dev.ragtime.app.RagtimeConfig;
import dev.ragtime.bench.measure.Scratch;
import dev.ragtime.config.Settings;
import dev.ragtime.embed.EmbeddingModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * What ingestion really runs: the local model behind Ragtime's embedding pipeline (micro-batcher,
 * cache, single-flight, metrics), as the composition root builds it with default settings and a
 * fresh data directory (so the persistent vector cache starts empty and is written as in a real
 * ingest). Fed the way the ingestor feeds it: one {@code embed} call per document, from virtual
 * threads, with the configured documents in flight.
 */
final class RagtimePipeline implements Embedder {
  private final Path dataDir;
  private final Ragtime ragtime;
  private final EmbeddingModel model;
  private final int documentsInFlight;
  private final ExecutorService callers =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("bench-document-", 0).factory());

  /**
   * System property of the child JVM with settings that replace the defaults, as {@code
   * key=value,key=value} in configuration-file keys (e.g. {@code embedding.max-batch=128}), to
   * measure other pipeline settings with the same workload.
   */
  static final String SETTINGS_PROPERTY = "ragtime.bench.pipeline-settings";

  static Map<String, String> overrides(String spec) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : spec.split(",")) {
      if (pair.isBlank()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq < 1) {
        throw new IllegalArgumentException(
            SETTINGS_PROPERTY + ": expected key=value, got '" + pair + "'");
      }
      out.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
    }
    return out;
  }

  RagtimePipeline(Path nativeDir, Path scratch) throws IOException {
    Files.createDirectories(scratch);
    this.dataDir = Files.createTempDirectory(scratch, "pipeline-data");
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("native-dir", nativeDir.toString());
    settings.putAll(overrides(System.getProperty(SETTINGS_PROPERTY, "")));
    RagtimeConfig config =
        RagtimeConfig.from(Settings.of(settings), Optional.of(dataDir), Map.of());
    this.ragtime = Ragtime.create(config);
    ragtime.loadModel();
    this.model = ragtime.model();
    this.documentsInFlight = config.ingest().documentsInFlight();
  }

  @Override
  public List<float[]> embed(List<String> texts, int[] documents) throws InterruptedException {
    Map<Integer, List<Integer>> byDocument = new LinkedHashMap<>();
    for (int i = 0; i < texts.size(); i++) {
      byDocument.computeIfAbsent(documents[i], d -> new ArrayList<>()).add(i);
    }
    float[][] vectors = new float[texts.size()][];
    Semaphore inFlight = new Semaphore(documentsInFlight);
    List<CompletableFuture<Void>> tasks = new ArrayList<>(byDocument.size());
    for (List<Integer> indices : byDocument.values()) {
      inFlight.acquire();
      tasks.add(
          CompletableFuture.runAsync(
              () -> {
                try {
                  List<String> mine = indices.stream().map(texts::get).toList();
                  List<float[]> out = model.embed(mine);
                  for (int k = 0; k < indices.size(); k++) {
                    vectors[indices.get(k)] = out.get(k);
                  }
                } finally {
                  inFlight.release();
                }
              },
              callers));
    }
    CompletableFuture.allOf(tasks.toArray(CompletableFuture[]::new)).join();
    return List.of(vectors);
  }

  @Override
  public String settings() {
    RagtimeConfig c = ragtime.config();
    return "EmbeddingPipeline + OnnxEmbeddingModel as Ragtime.create builds them: max batch "
        + c.embedding().maxBatch()
        + ", max concurrency "
        + c.embedding().maxConcurrency()
        + ", linger "
        + c.embedding().maxWait().toMillis()
        + " ms, persistent cache on; one embed() per document, "
        + documentsInFlight
        + " documents in flight";
  }

  @Override
  public void close() {
    callers.close();
    ragtime.close();
    try {
      Scratch.deleteRecursively(dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cleaning " + dataDir, e);
    }
  }
}
