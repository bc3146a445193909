package dev.ragtime.server.search;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ragtime.search.SearchMode;
import dev.ragtime.search.SearchRequest;
import dev.ragtime.server.collections.OpenCollections;
import dev.ragtime.server.http.Api;
import dev.ragtime.server.http.ApiException;
import dev.ragtime.server.http.Json;
import io.javalin.http.Context;
import java.util.Map;
import java.util.Objects;

/**
 * {@code POST /v1/collections/{name}/search} with {@code {query, k, mode, filter}}: the same search
 * as {@code ragtime search}, answered in its {@code --json} shape ({@link SearchResults}). Searches
 * see every write committed before they start, so a document acknowledged with {@code ?wait=true}
 * is found by the next search.
 */
public final class SearchRoutes {
  private final OpenCollections collections;
  private final Api api;

  public SearchRoutes(OpenCollections collections, Api api) {
    this.collections = Objects.requireNonNull(collections, "collections");
    this.api = Objects.requireNonNull(api, "api");
  }

  public void register() {
    api.post("/v1/collections/{name}/search", this::search);
  }

  private void search(Context ctx) {
    String name = OpenCollections.validName(ctx.pathParam("name"));
    JsonNode body = Json.object(api.jsonBody(ctx), "the request body");
    SearchRequest request = request(body);
    var c = collections.require(name);
    api.cancelOnDisconnect(ctx);
    Api.json(ctx, 200, SearchResults.toJson(c.searcher().search(request)));
  }

  /** Reads and validates a search request; every error names its field. */
  public static SearchRequest request(JsonNode body) {
    String query = Json.requiredString(body, "query", "query");
    int k = Json.optionalInt(body, "k", "k").orElse(SearchRequest.DEFAULT_K);
    if (k < 1 || k > SearchRequest.MAX_K) {
      throw ApiException.invalidField(
          "k", "'k' must be in [1, " + SearchRequest.MAX_K + "], was " + k);
    }
    SearchMode mode;
    try {
      mode =
          Json.optionalString(body, "mode", "mode")
              .map(SearchMode::parse)
              .orElse(SearchMode.HYBRID);
    } catch (IllegalArgumentException e) {
      throw ApiException.invalidField("mode", e.getMessage());
    }
    Map<String, String> filter = Json.stringMap(body, "filter", "filter");
    return new SearchRequest(query, k, mode, filter);
  }
}
