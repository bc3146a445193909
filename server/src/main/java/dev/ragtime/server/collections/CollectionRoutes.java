package dev.ragtime.server.collections;

import dev.ragtime.embed.ModelInfo;
import dev.ragtime.index.CollectionNotFoundException;
import dev.ragtime.index.IndexStats;
import dev.ragtime.server.auth.Grant;
import dev.ragtime.server.http.Api;
import dev.ragtime.server.http.ApiException;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code GET /v1/collections} and {@code PUT|GET|DELETE /v1/collections/{name}}. A collection is
 * shown as {@code {name, documents, chunks, model: {id, dimension}}}. PUT is idempotent: 201 when
 * it created the collection, 200 when it already existed with the service's model, 409 when it was
 * built by another model. The list shows only the collections the request's API key reaches.
 */
public final class CollectionRoutes {
  private final OpenCollections collections;
  private final Api api;

  public CollectionRoutes(OpenCollections collections, Api api) {
    this.collections = Objects.requireNonNull(collections, "collections");
    this.api = Objects.requireNonNull(api, "api");
  }

  public void register() {
    api.get("/v1/collections", this::list);
    api.put("/v1/collections/{name}", this::put);
    api.get("/v1/collections/{name}", this::get);
    api.delete("/v1/collections/{name}", this::delete);
  }

  private void list(Context ctx) {
    Api.json(ctx, 200, Map.of("collections", describe(collections, Grant.of(ctx))));
  }

  /** Every collection {@code grant} reaches, as the API shows it (for REST and MCP lists). */
  public static List<Map<String, Object>> describe(OpenCollections collections, Grant grant) {
    var out = new ArrayList<Map<String, Object>>();
    for (String name : collections.names()) {
      if (!grant.reaches(name)) {
        continue;
      }
      try {
        collections.summary(name).ifPresent(c -> out.add(describe(c)));
      } catch (CollectionNotFoundException e) {
        // dropped while listing
      }
    }
    return out;
  }

  private void put(Context ctx) {
    String name = OpenCollections.validName(ctx.pathParam("name"));
    boolean created = collections.create(name);
    Api.json(ctx, created ? 201 : 200, describe(summary(name)));
  }

  private void get(Context ctx) {
    String name = OpenCollections.validName(ctx.pathParam("name"));
    Api.json(ctx, 200, describe(summary(name)));
  }

  private void delete(Context ctx) {
    String name = OpenCollections.validName(ctx.pathParam("name"));
    if (!collections.drop(name)) {
      throw ApiException.notFound("collection '" + name + "' does not exist");
    }
    ctx.status(204);
  }

  private OpenCollections.Summary summary(String name) {
    return collections
        .summary(name)
        .orElseThrow(() -> ApiException.notFound("collection '" + name + "' does not exist"));
  }

  /** A collection as the API shows it ({@code Collection} in the OpenAPI document). */
  public static Map<String, Object> describe(OpenCollections.Summary summary) {
    IndexStats stats = summary.stats();
    ModelInfo model = summary.model();
    var m = new LinkedHashMap<String, Object>();
    m.put("name", summary.name());
    m.put("documents", stats.documents());
    m.put("chunks", stats.chunks());
    m.put("model", Map.of("id", model.id(), "dimension", model.dimension()));
    return m;
  }
}
