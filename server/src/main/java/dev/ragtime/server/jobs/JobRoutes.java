package dev.ragtime.server.jobs;

import dev.ragtime.ingest.IngestQueue;
import dev.ragtime.ingest.QueuedJob;
import dev.ragtime.server.auth.Grant;
import dev.ragtime.server.http.Api;
import dev.ragtime.server.http.ApiException;
import io.javalin.http.Context;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code GET /v1/jobs} (most recent first) and {@code GET /v1/jobs/{id}}, each showing only jobs of
 * collections the request's API key reaches (403 for one it does not). With a durable ingestion
 * queue, {@code GET /v1/jobs/{id}} also finds its jobs (any node's; {@code GET /v1/jobs} lists only
 * this node's in-process jobs).
 */
public final class JobRoutes {
  private final Jobs jobs;
  private final Optional<IngestQueue> queue;
  private final Api api;

  public JobRoutes(Jobs jobs, Optional<IngestQueue> queue, Api api) {
    this.jobs = Objects.requireNonNull(jobs, "jobs");
    this.queue = Objects.requireNonNull(queue, "queue");
    this.api = Objects.requireNonNull(api, "api");
  }

  public void register() {
    api.get("/v1/jobs", this::list);
    api.get("/v1/jobs/{id}", this::get);
  }

  private void list(Context ctx) {
    Grant grant = Grant.of(ctx);
    Api.json(
        ctx,
        200,
        Map.of(
            "jobs",
            jobs.recent().stream()
                .filter(j -> grant.reaches(j.collection()))
                .map(Job::toJson)
                .toList()));
  }

  private void get(Context ctx) {
    String id = ctx.pathParam("id");
    Optional<Job> local = jobs.get(id);
    if (local.isEmpty() && queue.isPresent()) {
      QueuedJob queued = queue.get().job(id).orElseThrow(() -> notFound(id));
      Grant.of(ctx).requireRead(queued.collection());
      Api.json(ctx, 200, queued.toJson());
      return;
    }
    Job job = local.orElseThrow(() -> notFound(id));
    Grant.of(ctx).requireRead(job.collection());
    Api.json(ctx, 200, job.toJson());
  }

  private static ApiException notFound(String id) {
    return ApiException.notFound("no job '" + id + "' (only the most recent jobs are remembered)");
  }
}
