package dev.ragtime.embed;

import dev.ragtime.provider.EmbeddingCancelledException;
import dev.ragtime.provider.EmbeddingException;
import dev.ragtime.provider.LocalModelException;
import dev.ragtime.provider.MalformedResponseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * Sends batches to the in-process model. No pacing, breaker or retry: a failure of the local model
 * is not transient. When a batch shared by several callers fails, each caller's texts are tried
 * again on their own, so one caller's bad input does not fail the others.
 *
 * <p>Queries and passages share the model through a {@link ModelGate}: a query batch is one model
 * call that goes before any waiting passage slice; a passage batch is fed to the model in slices
 * sorted by length (see {@link ModelGate} for their size), so a query arriving meanwhile waits for
 * one slice, not for the whole batch. Each model call runs on the {@link ModelThread}, a platform
 * thread, so the native call does not hold a virtual thread's carrier. Nothing starts once the
 * pipeline has closed ({@code open} false): neither a batch, nor a slice, nor a per-caller retry.
 *
 * <p>Failures are mapped into the taxonomy: the model's own exception becomes the cause of a {@link
 * LocalModelException} (an {@link EmbeddingException} from the model passes unchanged), an
 * interrupted call an {@link EmbeddingCancelledException}, and an answer with the wrong number of
 * vectors (or a missing one) a {@link MalformedResponseException}.
 */
final class LocalSender implements BatchSender {
  private final EmbeddingModel model;
  private final AdaptiveLimiter bulkLimiter;
  private final AdaptiveLimiter queryLimiter;
  private final ModelGate gate;
  private final ModelThread modelThread;
  private final BooleanSupplier open;
  private final Sink sink;
  private final PipelineMetrics metrics;

  LocalSender(
      EmbeddingModel model,
      AdaptiveLimiter bulkLimiter,
      AdaptiveLimiter queryLimiter,
      ModelGate gate,
      ModelThread modelThread,
      BooleanSupplier open,
      Sink sink,
      PipelineMetrics metrics) {
    this.model = model;
    this.bulkLimiter = bulkLimiter;
    this.queryLimiter = queryLimiter;
    this.gate = gate;
    this.modelThread = modelThread;
    this.open = open;
    this.sink = sink;
    this.metrics = metrics;
  }

  @Override
  public void send(
      List<PendingText> batch,
      AdaptiveLimiter.Permit permit,
      Optional<RatePacer.Reservation> reserved) {
    EmbeddingModel.Purpose purpose = batch.getFirst().purpose;
    AdaptiveLimiter.Permit p = permit;
    if (purpose == EmbeddingModel.Purpose.QUERY) {
      metrics.localStage("dispatch", purpose, System.nanoTime() - batch.getFirst().enqueuedNanos);
    }
    try {
      if (p == null) {
        p = (purpose == EmbeddingModel.Purpose.QUERY ? queryLimiter : bulkLimiter).acquire();
      }
      if (!open.getAsBoolean()) {
        p.ignore();
        sink.fail(batch, closed());
        return;
      }
      int tokens = batch.stream().mapToInt(t -> t.tokens).sum();
      metrics.batch(batch.size(), tokens);
      long start = System.nanoTime();
      List<float[]> vectors;
      try {
        vectors = run(batch, purpose);
      } catch (RuntimeException e) {
        p.ignore();
        metrics.request("local", "failure", Duration.ofNanos(System.nanoTime() - start));
        if (Thread.currentThread().isInterrupted() || e instanceof CancellationException) {
          sink.fail(batch, new EmbeddingCancelledException("local embedding interrupted", e));
          return;
        }
        Map<Long, List<PendingText>> byOwner = new LinkedHashMap<>();
        batch.forEach(t -> byOwner.computeIfAbsent(t.owner, o -> new ArrayList<>()).add(t));
        if (byOwner.size() > 1 && open.getAsBoolean()) {
          byOwner.values().forEach(group -> send(group, null, Optional.empty()));
        } else {
          sink.fail(batch, open.getAsBoolean() ? modelFailure(e, batch.size()) : closed());
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
      if (p != null) {
        p.ignore();
      }
      sink.fail(batch, new EmbeddingCancelledException("interrupted waiting for the model", e));
    } catch (RuntimeException e) {
      if (p != null) {
        p.ignore();
      }
      sink.fail(batch, BatchSender.unexpected("local embedding", e));
    }
  }

  /**
   * Runs the batch through the gate: a query batch in one call, a passage batch in slices. If the
   * model answers a call with the wrong number of vectors (or a missing one), returns that answer.
   */
  private List<float[]> run(List<PendingText> batch, EmbeddingModel.Purpose purpose)
      throws InterruptedException {
    List<String> texts = batch.stream().map(t -> t.text).toList();
    if (purpose == EmbeddingModel.Purpose.QUERY) {
      return call(texts, purpose, true, 0);
    }
    int[] tokens = batch.stream().mapToInt(t -> t.tokens).toArray();
    int[] order = ModelGate.byLength(tokens);
    float[][] out = new float[batch.size()][];
    for (int from = 0; from < order.length; ) {
      boolean busy = gate.queriesActive();
      int maxCells = gate.sliceCells();
      int end = ModelGate.sliceEnd(order, tokens, from, maxCells, ModelGate.IDLE_SLICE_ROWS);
      int[] slice = Arrays.copyOfRange(order, from, end);
      List<String> sliceTexts = new ArrayList<>(slice.length);
      for (int i : slice) {
        sliceTexts.add(texts.get(i));
      }
      List<float[]> vectors =
          call(sliceTexts, purpose, busy, ModelGate.cells(order, tokens, from, end));
      if (!wellFormed(vectors, slice.length)) {
        return vectors; // the caller reports it (for a one-slice batch, with the model's count)
      }
      for (int j = 0; j < slice.length; j++) {
        out[slice[j]] = vectors.get(j);
      }
      from = end;
    }
    return Arrays.asList(out);
  }

  /**
   * One model call through the gate, on the model thread, timed by stage; a passage slice of {@code
   * cells} padded cells (0: not a passage slice), cut while queries were active ({@code busy}) or
   * not, teaches the gate how long such slices take.
   */
  private List<float[]> call(
      List<String> texts, EmbeddingModel.Purpose purpose, boolean busy, long cells)
      throws InterruptedException {
    long waitFrom = System.nanoTime();
    gate.acquire(purpose);
    long callFrom = System.nanoTime();
    metrics.localStage("gate", purpose, callFrom - waitFrom);
    try {
      if (!open.getAsBoolean()) {
        throw new CancellationException("the embedding pipeline closed");
      }
      List<float[]> vectors = modelThread.run(() -> model.embed(texts, purpose));
      gate.sliceDone(busy, cells, System.nanoTime() - callFrom);
      return vectors;
    } finally {
      gate.release();
      metrics.localStage("model", purpose, System.nanoTime() - callFrom);
    }
  }

  private static EmbeddingCancelledException closed() {
    return new EmbeddingCancelledException("embedding pipeline closed", null);
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
