package dev.ragtime.embed;

import java.util.List;

/**
 * Where batches end: checks a response's dimension against the model's, puts each vector in the
 * cache (memory now, disk behind, see {@link VectorCache}) and completes its single-flight entry,
 * or fails the entries still open. Never does disk I/O. Thread-safe.
 */
final class Delivery implements BatchSender.Sink {
  private static final double UNIT_TOLERANCE = 1e-3;

  private final SingleFlight flights;
  private final VectorCache cache;
  private final ModelIdentity identity;
  private final PipelineMetrics metrics;

  Delivery(
      SingleFlight flights, VectorCache cache, ModelIdentity identity, PipelineMetrics metrics) {
    this.flights = flights;
    this.cache = cache;
    this.identity = identity;
    this.metrics = metrics;
  }

  @Override
  public void deliver(List<PendingText> batch, List<float[]> vectors, String endpoint, int tokens) {
    identity.checkFresh(vectors.getFirst().length, endpoint);
    metrics.embedded(batch.size(), tokens); // before callers can observe the vectors
    for (int i = 0; i < batch.size(); i++) {
      PendingText p = batch.get(i);
      float[] v = unit(vectors.get(i));
      cache.put(p.key, v); // before the entry leaves the in-flight map: see SingleFlight
      flights.complete(p, v);
    }
  }

  @Override
  public void fail(List<PendingText> batch, RuntimeException cause) {
    List<PendingText> open = batch.stream().filter(p -> !p.result.isDone()).toList();
    if (!open.isEmpty()) {
      metrics.failed(open.size(), cause.getClass()); // before callers can observe the failure
    }
    for (PendingText p : batch) {
      flights.fail(p, cause);
    }
  }

  /** The vector itself if it is unit length (within tolerance), else a normalised copy. */
  static float[] unit(float[] v) {
    double sum = 0;
    for (float f : v) {
      sum += (double) f * f;
    }
    double norm = Math.sqrt(sum);
    if (norm == 0 || Math.abs(norm - 1) <= UNIT_TOLERANCE) {
      return v;
    }
    float[] u = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      u[i] = (float) (v[i] / norm);
    }
    return u;
  }
}
