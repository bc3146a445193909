package dev.ragtime.bench;

import dev.ragtime.embed.EmbeddingConfig;
import dev.ragtime.embed.EmbeddingPipeline;
import dev.ragtime.provider.EmbeddingException;
import dev.ragtime.provider.Secret;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Ragtime's {@link EmbeddingPipeline} configured with the scenario's batch size and concurrency and
 * the provider's RPM and TPM limits (as a user copies them from the provider's dashboard), fed the
 * way the ingestor feeds it: one {@code embed} call per document from concurrent virtual-thread
 * callers, at most {@code documentsInFlight} documents at once. Everything else is the pipeline's
 * default, except that caching is off (the workload has no repeated text, and a cache would only
 * add work).
 */
final class RagtimeContender implements Contender {

  @Override
  public Outcome run(Workload workload, Target target) throws InterruptedException {
    Scenario s = target.scenario();
    EmbeddingConfig config =
        EmbeddingConfig.builder()
            .provider(EmbeddingConfig.Provider.OPENAI)
            .baseUrl(target.baseUrl())
            .model(Scenario.MODEL)
            .apiKey(Secret.of(target.apiKey()))
            .rpm(s.rpm())
            .tpm(Math.toIntExact(s.tpm()))
            .maxBatch(s.maxBatch())
            .maxConcurrency(s.concurrency())
            .cacheMemoryBytes(0)
            .cachePersistent(false)
            .build();
    Map<String, float[]> vectors = new ConcurrentHashMap<>();
    AtomicReference<String> firstError = new AtomicReference<>("");
    long start;
    long end;
    long retries;
    try (ExecutorService executor =
            Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("ragtime-embed-", 0).factory());
        EmbeddingPipeline pipeline = EmbeddingPipeline.builder(config).executor(executor).build()) {
      Warmup.run(target.baseUrl(), pipeline::embed);
      long retriesBefore = pipeline.stats().retries();
      Semaphore inFlight = new Semaphore(target.documentsInFlight());
      start = System.nanoTime();
      try (ExecutorService callers =
          Executors.newThreadPerTaskExecutor(
              Thread.ofVirtual().name("bench-document-", 0).factory())) {
        for (List<String> document : workload.documents()) {
          inFlight.acquire();
          callers.execute(
              () -> {
                try {
                  List<float[]> result = pipeline.embed(document);
                  for (int i = 0; i < document.size(); i++) {
                    vectors.put(document.get(i), result.get(i));
                  }
                } catch (EmbeddingException e) {
                  firstError.compareAndSet(
                      "", e.getClass().getSimpleName() + ": " + e.getMessage());
                } finally {
                  inFlight.release();
                }
              });
        }
      } // waits for every caller
      end = System.nanoTime();
      retries = pipeline.stats().retries() - retriesBefore;
    }
    return new Outcome(
        vectors,
        end - start,
        OptionalLong.of(retries),
        firstError.get(),
        "batch ≤ "
            + s.maxBatch()
            + " texts / ≤ "
            + config.maxBatchTokens()
            + " tokens, adaptive concurrency ≤ "
            + s.concurrency()
            + ", paced at RPM "
            + s.rpm()
            + " / TPM "
            + s.tpm()
            + ", "
            + target.documentsInFlight()
            + " documents in flight");
  }
}
