package dev.ragtime.embed;

import dev.ragtime.provider.EmbeddingCancelledException;
import dev.ragtime.provider.EmbeddingException;
import dev.ragtime.provider.LocalModelException;
import dev.ragtime.provider.MalformedResponseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;

/**
 * Sends batches to the in-process model. No pacing, breaker or retry: a failure of the local model
 * is not transient. When a batch shared by several callers fails, each caller's texts are tried
 * again on their own, so one caller's bad input does not fail the others.
 *
 * <p>Failures are mapped into the taxonomy: the model's own exception becomes the cause of a {@link
 * LocalModelException} (an {@link EmbeddingException} from the model passes unchanged), an
 * interrupted call an {@link EmbeddingCancelledException}, and an answer with the wrong number of
 * vectors (or a missing one) a {@link MalformedResponseException}.
 */
final class LocalSender implements BatchSender {
  private final EmbeddingModel model;
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
        if (Thread.currentThread().isInterrupted() || e instanceof CancellationException) {
          sink.fail(batch, new EmbeddingCancelledException("local embedding interrupted", e));
          return;
        }
        Map<Long, List<PendingText>> byOwner = new LinkedHashMap<>();
        batch.forEach(t -> byOwner.computeIfAbsent(t.owner, o -> new ArrayList<>()).add(t));
        if (byOwner.size() > 1) {
          byOwner.values().forEach(group -> send(group, null));
        } else {
          sink.fail(batch, modelFailure(e, batch.size()));
        }
        return;
      }
      Duration rtt = Duration.ofNanos(System.nanoTime() - start);
      if (!wellFormed(vectors, batch.size())) {
        p.ignore();
        metrics.request("local", "failure", rtt);
        sink.fail(
            batch,
            new MalformedResponseException(
                "the local embedding model returned "
                    + (vectors == null ? "no list" : vectors.size() + " vectors (or a missing one)")
                    + " for "
                    + batch.size()
                    + " texts",
                null,
                null));
        return;
      }
      p.success(rtt);
      metrics.request("local", "success", rtt);
      sink.deliver(batch, vectors, "local", tokens);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      sink.fail(batch, new EmbeddingCancelledException("interrupted waiting for capacity", e));
    } catch (RuntimeException e) {
      if (p != null) {
        p.ignore();
      }
      sink.fail(batch, BatchSender.unexpected("local embedding", e));
    }
  }

  /** One non-null vector per text. (No {@code contains(null)}: immutable lists throw on it.) */
  private static boolean wellFormed(List<float[]> vectors, int texts) {
    if (vectors == null || vectors.size() != texts) {
      return false;
    }
    for (float[] v : vectors) {
      if (v == null) {
        return false;
      }
    }
    return true;
  }

  private static EmbeddingException modelFailure(RuntimeException e, int texts) {
    if (e instanceof EmbeddingException already) {
      return already;
    }
    return new LocalModelException(
        "the local embedding model failed on a batch of " + texts + " texts: " + e, e);
  }
}
