package dev.ragtime.server.auth;

import dev.ragtime.server.http.Api;
import dev.ragtime.server.http.ApiException;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.Set;

/**
 * Which right each REST route needs, in one place (the {@link Api.Guard} of the service):
 *
 * <ul>
 *   <li>a route on one collection (path parameter {@code name}) needs a key that reaches that
 *       collection; reading it ({@code GET}, and {@code POST …/search}) needs no more, anything
 *       else needs rights {@code rw};
 *   <li>any other {@code GET} (lists, jobs, {@code /readyz}, {@code /metrics}, {@code
 *       /openapi.json}) and {@code POST /v1/embeddings} need any valid key; lists show only the
 *       collections the key reaches, and a job of another collection is refused by its route;
 *   <li>any other route changes data for the whole service and needs rights {@code rw} on every
 *       collection;
 *   <li>{@link AccessFilter#OPEN_PATHS} need nothing.
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
public final class RouteAccess implements Api.Guard {
  /** Routes that take a {@code POST} body but only read. */
  static final Set<String> READING_POSTS =
      Set.of("/v1/collections/{name}/search", "/v1/embeddings");

  @Override
  public void check(Context ctx, HandlerType method, String route) {
    if (AccessFilter.open(route)) {
      return;
    }
    Grant grant = Grant.of(ctx);
    boolean reads =
        method == HandlerType.GET || method == HandlerType.HEAD || READING_POSTS.contains(route);
    String collection = ctx.pathParamMap().get("name");
    if (collection != null) {
      if (reads) {
        grant.requireRead(collection);
      } else {
        grant.requireWrite(collection);
      }
    } else if (!reads) {
      grant.requireWrite();
      if (!grant.collections().isEmpty()) {
        throw ApiException.forbidden(
            "this API key is limited to some collections; "
                + method
                + " "
                + route
                + " needs a key for every collection");
      }
    }
  }
}
