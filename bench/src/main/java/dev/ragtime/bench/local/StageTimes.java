package dev.ragtime.bench.local;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Where time went at the local model during one phase: the pipeline's {@code
 * ragtime.embedding.local.stage} timers (stage × purpose), read as the difference of their
 * cumulative histograms between the start and the end of the phase, so earlier phases do not blur
 * it. The registry must keep cumulative percentile histograms, as Prometheus' does ({@code
 * SimpleMeterRegistry} keeps none). Percentiles are bucket upper bounds (Micrometer's percentile
 * histogram, steps of about 10–40%), which is resolution enough to say which stage holds the tail.
 */
final class StageTimes {
  private static final String NAME = "ragtime.embedding.local.stage";

  /** One stage's figures for the phase. */
  record Stage(
      String stage, String purpose, long count, double p50Ms, double p99Ms, double maxMs) {}

  private final MeterRegistry registry;
  private final Map<String, double[]> start = new LinkedHashMap<>();

  /** Takes the starting point. */
  StageTimes(MeterRegistry registry) {
    this.registry = registry;
    for (Timer t : registry.find(NAME).timers()) {
      start.put(key(t), counts(t));
    }
  }

  /** The stages seen since construction. */
  List<Stage> since() {
    return registry.find(NAME).timers().stream()
        .map(this::stage)
        .filter(s -> s.count() > 0)
        .sorted(java.util.Comparator.comparing(Stage::purpose).thenComparing(Stage::stage))
        .toList();
  }

  private Stage stage(Timer t) {
    CountAtBucket[] buckets = t.takeSnapshot().histogramCounts();
    double[] now = counts(t);
    double[] before = start.getOrDefault(key(t), new double[now.length]);
    double[] delta = new double[now.length];
    for (int i = 0; i < now.length; i++) {
      delta[i] = now[i] - (i < before.length ? before[i] : 0);
    }
    long total = Math.round(delta.length == 0 ? 0 : delta[delta.length - 1]);
    return new Stage(
        t.getId().getTag("stage"),
        t.getId().getTag("purpose"),
        total,
        quantile(buckets, delta, total, 0.50),
        quantile(buckets, delta, total, 0.99),
        quantile(buckets, delta, total, 1.0));
  }

  /** Upper bound (ms) of the first bucket whose cumulative count reaches q of the total. */
  private static double quantile(CountAtBucket[] buckets, double[] delta, long total, double q) {
    for (int i = 0; i < buckets.length; i++) {
      if (delta[i] >= Math.ceil(q * total) && total > 0) {
        return buckets[i].bucket(TimeUnit.MILLISECONDS);
      }
    }
    return Double.NaN;
  }

  /** Cumulative counts per bucket (Micrometer's histogram counts are cumulative). */
  private static double[] counts(Timer t) {
    CountAtBucket[] b = t.takeSnapshot().histogramCounts();
    double[] out = new double[b.length];
    for (int i = 0; i < b.length; i++) {
      out[i] = b[i].count();
    }
    return out;
  }

  private static String key(Timer t) {
    return t.getId().getTag("stage") + "|" + t.getId().getTag("purpose");
  }
}
