package dev.ragtime.server.jobs;

import dev.ragtime.server.auth.Grant;
import dev.ragtime.server.http.Api;
import dev.ragtime.server.http.ApiException;
import io.javalin.http.Context;
import java.util.Map;
import java.util.Objects;

/**
 * {@code GET /v1/jobs} (most recent first) and {@code GET /v1/jobs/{id}}, each showing only jobs of
 * collections the request's API key reaches (403 for one it does not).
 */
public final class JobRoutes {
  private final Jobs jobs;
  private final Api api;

  public JobRoutes(Jobs jobs, Api api) {
    this.jobs = Objects.requireNonNull(jobs, "jobs");
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
    Job job =
        jobs.get(id)
            .orElseThrow(
                () ->
                    ApiException.notFound(
                        "no job '" + id + "' (only the most recent jobs are remembered)"));
    Grant.of(ctx).requireRead(job.collection());
    Api.json(ctx, 200, job.toJson());
  }
}
