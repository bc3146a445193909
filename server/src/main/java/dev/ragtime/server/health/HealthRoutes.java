package dev.ragtime.server.health;

import dev.ragtime.server.http.Api;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /healthz} (the process answers), {@code GET /readyz} (collections open, model loaded,
 * no provider circuit breaker open; 503 with the failing checks otherwise) and {@code GET /metrics}
 * (every meter of the service in Prometheus text format).
 */
public final class HealthRoutes {
  /** The pipeline's breaker gauge; 1 means open (see core's embed/METRICS.md). */
  static final String CIRCUIT_STATE = "ragtime.embedding.circuit.state";

  private final PrometheusMeterRegistry meters;
  private final BooleanSupplier modelLoaded;
  private final BooleanSupplier accepting;
  private final Api api;

  public HealthRoutes(
      PrometheusMeterRegistry meters,
      BooleanSupplier modelLoaded,
      BooleanSupplier accepting,
      Api api) {
    this.meters = Objects.requireNonNull(meters, "meters");
    this.modelLoaded = Objects.requireNonNull(modelLoaded, "modelLoaded");
    this.accepting = Objects.requireNonNull(accepting, "accepting");
    this.api = Objects.requireNonNull(api, "api");
  }

  public void register() {
    api.get("/healthz", ctx -> Api.json(ctx, 200, Map.of("status", "ok")));
    api.get("/readyz", this::ready);
    api.get("/metrics", this::metrics);
  }

  private void ready(Context ctx) {
    var checks = new LinkedHashMap<String, Boolean>();
    checks.put("index", accepting.getAsBoolean());
    checks.put("model", modelLoaded.getAsBoolean());
    checks.put("provider", !breakerOpen());
    boolean ready = checks.values().stream().allMatch(b -> b);
    if (!ready) {
      ctx.header("Retry-After", "5");
    }
    Api.json(
        ctx, ready ? 200 : 503, Map.of("status", ready ? "ready" : "not ready", "checks", checks));
  }

  private boolean breakerOpen() {
    for (Gauge g : meters.find(CIRCUIT_STATE).gauges()) {
      if (g.value() == 1.0) {
        return true;
      }
    }
    return false;
  }

  private void metrics(Context ctx) {
    ctx.status(200).contentType("text/plain; version=0.0.4; charset=utf-8").result(meters.scrape());
  }
}
