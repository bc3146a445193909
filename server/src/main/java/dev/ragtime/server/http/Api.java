package dev.ragtime.server.http;

import dev.ragtime.index.CollectionNotFoundException;
import dev.ragtime.index.ModelMismatchException;
import dev.ragtime.provider.EmbeddingCancelledException;
import dev.ragtime.provider.NonRetryableEmbeddingException;
import dev.ragtime.provider.ProviderUnavailableException;
import dev.ragtime.provider.RateLimitedException;
import dev.ragtime.provider.RetryableEmbeddingException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How every route of the service is registered: each handler is wrapped so that a refusal becomes
 * an RFC 9457 {@code application/problem+json} response in one place, and every request is timed
 * per route template in the meter {@code ragtime.http.server.requests} (tags {@code method}, {@code
 * route}, {@code status}; Prometheus {@code ragtime_http_server_requests_seconds}). A route may ask
 * to be {@linkplain #cancelOnDisconnect cancelled when its client disconnects}.
 *
 * <p>Error mapping, in one place: {@link ApiException} keeps its status; an unknown collection is
 * 404; a collection built by another model is 409; an embedding provider that fails retryably is
 * 503 with {@code Retry-After} (its own wait when it named one), one that refuses is 502; Javalin's
 * own refusals keep theirs; anything else is a defect of the service and the only source of a 500.
 *
 * <p>Every handler runs after the service's {@link Guard} has let the request through, so access
 * control sees each route's template and path parameters in one place.
 *
 * <p>Thread-safe after construction.
 */
public final class Api {
  private static final Logger log = LoggerFactory.getLogger(Api.class);

  /** The media type of every error body. */
  public static final String PROBLEM_JSON = "application/problem+json";

  public static final String JSON = "application/json";

  /** The status logged for a request whose client disconnected (nginx's convention). */
  public static final int CLIENT_CLOSED_REQUEST = 499;

  private static final String WATCH = "ragtime.disconnectWatch";

  private final RoutesConfig routes;
  private final MeterRegistry meters;
  private final long maxBodyBytes;
  private final Guard guard;

  /**
   * Decides, before a route's handler runs, whether the request may use it.
   *
   * <p>Implementations are thread-safe.
   */
  @FunctionalInterface
  public interface Guard {
    /**
     * Returns normally to let the request through.
     *
     * @param route the route template, such as {@code /v1/collections/{name}/search}
     * @throws ApiException with the status to answer (401, 403) to refuse it
     */
    void check(Context ctx, HandlerType method, String route);
  }

  public Api(RoutesConfig routes, MeterRegistry meters, long maxBodyBytes, Guard guard) {
    this.routes = Objects.requireNonNull(routes, "routes");
    this.meters = Objects.requireNonNull(meters, "meters");
    this.maxBodyBytes = maxBodyBytes;
    this.guard = Objects.requireNonNull(guard, "guard");
    routes.error(404, ctx -> unmatched(ctx, 404, "no route " + ctx.method() + " " + ctx.path()));
    routes.error(
        405,
        ctx ->
            unmatched(
                ctx, 405, "method " + ctx.method() + " is not allowed on " + ctx.path() + ""));
    routes.exception(Exception.class, (e, ctx) -> problem(ctx, e));
  }

  /** The largest request body accepted, in bytes. */
  public long maxBodyBytes() {
    return maxBodyBytes;
  }

  public void get(String path, Handler handler) {
    add(HandlerType.GET, path, handler);
  }

  public void post(String path, Handler handler) {
    add(HandlerType.POST, path, handler);
  }

  public void put(String path, Handler handler) {
    add(HandlerType.PUT, path, handler);
  }

  public void delete(String path, Handler handler) {
    add(HandlerType.DELETE, path, handler);
  }

  private void add(HandlerType method, String path, Handler handler) {
    String route = path.replace('<', '{').replace('>', '}');
    routes.addHttpHandler(
        method,
        path,
        ctx -> {
          long start = System.nanoTime();
          try {
            guard.check(ctx, method, route);
            handler.handle(ctx);
          } catch (Exception e) {
            if (!(ctx.attribute(WATCH) instanceof DisconnectWatch w && w.disconnected())) {
              problem(ctx, e); // else nobody is left to read it
            }
          } finally {
            endWatch(ctx, method.name(), route);
            record(method.name(), route, ctx.statusCode(), System.nanoTime() - start);
          }
        });
  }

  /**
   * From now until the handler returns, a client that disconnects interrupts the handler's thread,
   * so blocking work it waits for (a search, texts queued in the embedding pipeline) is abandoned;
   * the request is then logged and timed with status {@value #CLIENT_CLOSED_REQUEST} and counted in
   * {@code ragtime.http.server.disconnects}. Call it after the request body has been read, before
   * the slow work starts.
   */
  public void cancelOnDisconnect(Context ctx) {
    DisconnectWatch.start(ctx).ifPresent(w -> ctx.attribute(WATCH, w));
  }

  private void endWatch(Context ctx, String method, String route) {
    DisconnectWatch watch = ctx.attribute(WATCH);
    if (watch == null) {
      return;
    }
    watch.close();
    if (watch.disconnected()) {
      log.info("{} {}: the client disconnected; its work was abandoned", method, ctx.path());
      Counter.builder("ragtime.http.server.disconnects")
          .description("Requests whose client went away while they were served (work abandoned)")
          .tag("method", method)
          .tag("route", route)
          .register(meters)
          .increment();
      ctx.status(CLIENT_CLOSED_REQUEST);
    } else if (watch.pipelined()) {
      ctx.header("Connection", "close");
    }
  }

  private void unmatched(Context ctx, int status, String detail) {
    String written = ctx.res().getContentType();
    if (written != null && written.startsWith(PROBLEM_JSON)) {
      return; // a route's own refusal (an unknown job, say) stands; add() has timed it
    }
    write(ctx, status, status == 404 ? "Not Found" : "Method Not Allowed", detail, null, null);
    record(ctx.method().name(), "unmatched", status, 0);
  }

  private void record(String method, String route, int status, long nanos) {
    Timer.builder("ragtime.http.server.requests")
        .description("HTTP requests served, by route template")
        .tag("method", method)
        .tag("route", route)
        .tag("status", Integer.toString(status))
        .register(meters)
        .record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  /** Writes the problem response that {@code e} stands for. */
  public static void problem(Context ctx, Exception e) {
    switch (e) {
      case ApiException a ->
          write(
              ctx,
              a.status(),
              a.title(),
              a.getMessage(),
              a.field().orElse(null),
              a.retryAfterSeconds().orElse(null));
      case CollectionNotFoundException c ->
          write(
              ctx,
              404,
              "Not Found",
              "collection '" + c.collection() + "' does not exist; create it with PUT first",
              null,
              null);
      case ModelMismatchException m -> write(ctx, 409, "Conflict", m.getMessage(), null, null);
      case RetryableEmbeddingException r ->
          write(
              ctx,
              503,
              "Service Unavailable",
              "the embedding provider is unavailable for now: " + r.getMessage(),
              null,
              retryAfter(r));
      case EmbeddingCancelledException c ->
          write(ctx, 503, "Service Unavailable", c.getMessage(), null, 5L);
      case NonRetryableEmbeddingException n ->
          write(
              ctx,
              502,
              "Bad Gateway",
              "the embedding provider refused the request: " + n.getMessage(),
              null,
              null);
      case HttpResponseException h ->
          write(ctx, h.getStatus(), statusTitle(h.getStatus()), h.getMessage(), null, null);
      default -> {
        log.error("request {} {} failed", ctx.method(), ctx.path(), e);
        write(
            ctx,
            500,
            "Internal Server Error",
            "the service failed to handle the request (" + e.getClass().getSimpleName() + ")",
            null,
            null);
      }
    }
  }

  /** The provider's own wait when it named one (whole seconds, at least 1), else 5 s. */
  private static Long retryAfter(RetryableEmbeddingException e) {
    Optional<Duration> wait =
        switch (e) {
          case RateLimitedException r -> r.retryAfter();
          case ProviderUnavailableException p -> p.retryAfter();
          default -> Optional.empty();
        };
    return wait.map(d -> Math.max(1, (d.toMillis() + 999) / 1000)).orElse(5L);
  }

  /**
   * An RFC 9457 problem body ({@code Problem} in the OpenAPI document) without a field, for
   * refusals written outside a route (the access filter).
   */
  public static Map<String, Object> problemBody(
      int status, String title, String detail, String instance) {
    var body = new LinkedHashMap<String, Object>();
    body.put("type", "about:blank");
    body.put("title", title);
    body.put("status", status);
    body.put("detail", detail);
    body.put("instance", instance);
    return body;
  }

  private static void write(
      Context ctx, int status, String title, String detail, String field, Long retryAfter) {
    Map<String, Object> body = problemBody(status, title, detail, ctx.path());
    if (field != null) {
      body.put("field", field);
    }
    if (retryAfter != null) {
      ctx.header("Retry-After", Long.toString(retryAfter));
    }
    ctx.status(status).contentType(PROBLEM_JSON).result(Json.write(body));
  }

  private static String statusTitle(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 413 -> "Content Too Large";
      case 415 -> "Unsupported Media Type";
      default -> status >= 500 ? "Server Error" : "Client Error";
    };
  }

  /** Writes a JSON response. */
  public static void json(Context ctx, int status, Object value) {
    ctx.status(status).contentType(JSON).result(Json.write(value));
  }

  /**
   * The request body, at most {@link #maxBodyBytes} bytes.
   *
   * @throws ApiException 413 when it is larger
   */
  public byte[] body(Context ctx) {
    long declared = ctx.req().getContentLengthLong();
    if (declared > maxBodyBytes) {
      throw tooLarge(declared);
    }
    try (InputStream in = ctx.req().getInputStream()) {
      byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
      if (bytes.length > maxBodyBytes) {
        throw tooLarge(bytes.length);
      }
      return bytes;
    } catch (IOException e) {
      throw ApiException.badRequest("the request body could not be read: " + e.getMessage());
    }
  }

  /** Refuses a body declared larger than the limit before anything reads it. */
  public void checkDeclaredSize(Context ctx) {
    long declared = ctx.req().getContentLengthLong();
    if (declared > maxBodyBytes) {
      throw tooLarge(declared);
    }
  }

  private ApiException tooLarge(long size) {
    return ApiException.tooLarge(
        "the request body is "
            + size
            + " bytes, over the limit of "
            + maxBodyBytes
            + " bytes (server.max-body-bytes); send fewer or smaller documents per request");
  }

  /**
   * The body of a request that must be JSON.
   *
   * @throws ApiException 415 for another declared content type, 400 for malformed JSON
   */
  public com.fasterxml.jackson.databind.JsonNode jsonBody(Context ctx) {
    requireJson(ctx);
    return Json.parse(body(ctx));
  }

  /** Whether the request declares a JSON body ({@code application/json} or {@code +json}). */
  public static boolean isJson(Context ctx) {
    String type = ctx.contentType();
    if (type == null) {
      return false;
    }
    String base = type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return base.equals(JSON) || base.endsWith("+json");
  }

  /** Refuses a body declared as something other than JSON (a missing type is taken as JSON). */
  public static void requireJson(Context ctx) {
    if (ctx.contentType() != null && !isJson(ctx)) {
      throw ApiException.unsupportedMediaType(
          "send the body as application/json, not " + ctx.contentType());
    }
  }
}
