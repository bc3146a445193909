package dev.ragtime.embed;

import dev.ragtime.provider.EmbeddingCancelledException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sends batches to the in-process model. No pacing, breaker or retry: a failure of the local model
 * is not transient. When a batch shared by several callers fails, each caller's texts are tried
 * again on their own, so one caller's bad input does not fail the others.
 */
final class LocalSender implements BatchSender {
  private final dev.ragtime.embed.EmbeddingModel model;
  private final AdaptiveLimiter limiter;
  private final Sink sink;
  private final PipelineMetrics metrics;

  LocalSender(EmbeddingModel model, AdaptiveLimiter limiter, Sink sink, PipelineMetrics metrics) {
    this.model = model;
    this.limiter = limiter;
    this.sink = sink;
    this.metrics = metrics;
  }

  @Override
  public void send(List<PendingText> batch, AdaptiveLimiter.Permit permit) {
    AdaptiveLimiter.Permit p = permit;
    try {
      if (p == null) {
        p = limiter.acquire();
      }
      List<String> texts = batch.stream().map(t -> t.text).toList();
      int tokens = batch.stream().mapToInt(t -> t.tokens).sum();
      metrics.batch(batch.size(), tokens);
      long start = System.nanoTime();
      List<float[]> vectors;
      try {
        vectors = model.embed(texts);
      } catch (RuntimeException e) {
        p.ignore();
        metrics.request("local", "failure", Duration.ofNanos(System.nanoTime() - start));
        if (Thread.currentThread().isInterrupted()) {
          sink.fail(batch, new EmbeddingCancelledException("local embedding interrupted", e));
          return;
        }
        Map<Long, List<PendingText>> byOwner = new LinkedHashMap<>();
        batch.forEach(
            t -> byOwner.computeIfAbsent(t.owner, o -> new java.util.ArrayList<>()).add(t));
        if (byOwner.size() > 1) {
          byOwner.values().forEach(group -> send(group, null));
        } else {
          sink.fail(batch, e);
        }
        return;
      }
      Duration rtt = Duration.ofNanos(System.nanoTime() - start);
      p.success(rtt);
      metrics.request("local", "success", rtt);
      if (vectors.size() != batch.size()) {
        sink.fail(
            batch,
            new IllegalStateException(
                "local model returned "
                    + vectors.size()
                    + " vectors for "
                    + batch.size()
                    + " texts"));
        return;
      }
      sink.deliver(batch, vectors, "local", tokens);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      sink.fail(batch, new EmbeddingCancelledException("interrupted waiting for capacity", e));
    } catch (RuntimeException e) {
      if (p != null) {
        p.ignore();
      }
      sink.fail(batch, e);
    }
  }
}
