package dev.ragtime.server.auth;

import dev.ragtime.server.http.Api;
import dev.ragtime.server.http.Json;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Authenticates every request of the service, REST and MCP alike, before any servlet sees it: with
 * {@link ApiKeys} configured, a request must carry {@code Authorization: Bearer <key>} with one of
 * them, else it is answered 401 with {@code WWW-Authenticate: Bearer} and a problem body; the key's
 * {@link Grant} is put on the request for the routes and tools to check. The {@link #OPEN_PATHS}
 * need no key. Without keys every request gets {@link Grant#FULL}.
 *
 * <p>The key is never logged or echoed: the refusals say only whether a key was missing or wrong.
 * Each refusal counts in {@code ragtime.http.server.unauthorized} (tag {@code reason}: {@code
 * missing}, {@code scheme} or {@code invalid}; Prometheus {@code
 * ragtime_http_server_unauthorized_total}), so guessing shows up in the metrics.
 *
 * <p>Thread-safe.
 */
public final class AccessFilter implements Filter {
  /**
   * Paths served without a key: liveness, and the search page's static files (which hold no data;
   * the page sends a key with its API calls).
   */
  public static final Set<String> OPEN_PATHS = Set.of("/healthz", "/", "/page.js", "/page.css");

  private static final String BEARER = "bearer ";

  private final ApiKeys keys;
  private final MeterRegistry meters;

  public AccessFilter(ApiKeys keys, MeterRegistry meters) {
    this.keys = Objects.requireNonNull(keys, "keys");
    this.meters = Objects.requireNonNull(meters, "meters");
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    var request = (HttpServletRequest) req;
    var response = (HttpServletResponse) res;
    if (!keys.enabled()) {
      request.setAttribute(Grant.ATTRIBUTE, Grant.FULL);
      chain.doFilter(req, res);
      return;
    }
    if (open(path(request))) {
      chain.doFilter(req, res);
      return;
    }
    String header = request.getHeader("Authorization");
    if (header == null || header.isBlank()) {
      refuse(
          request,
          response,
          "missing",
          "Bearer realm=\"ragtime\"",
          "this service needs an API key: send it as 'Authorization: Bearer <key>' (the keys are"
              + " set with "
              + ApiKeys.ENV
              + ")");
      return;
    }
    if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      refuse(
          request,
          response,
          "scheme",
          "Bearer realm=\"ragtime\", error=\"invalid_request\"",
          "send the API key as 'Authorization: Bearer <key>'; no other scheme is accepted");
      return;
    }
    Optional<Grant> grant = keys.authenticate(header.substring(BEARER.length()).strip());
    if (grant.isEmpty()) {
      refuse(
          request,
          response,
          "invalid",
          "Bearer realm=\"ragtime\", error=\"invalid_token\"",
          "the API key is not valid: it is none of the keys set with " + ApiKeys.ENV);
      return;
    }
    request.setAttribute(Grant.ATTRIBUTE, grant.get());
    chain.doFilter(req, res);
  }

  /** The request's decoded path inside the service (what the routes match against). */
  private static String path(HttpServletRequest request) {
    String info = request.getPathInfo();
    return request.getServletPath() + (info == null ? "" : info);
  }

  private void refuse(
      HttpServletRequest request,
      HttpServletResponse response,
      String reason,
      String challenge,
      String detail)
      throws IOException {
    Counter.builder("ragtime.http.server.unauthorized")
        .description("Requests refused with 401 for a missing or wrong API key")
        .tag("reason", reason)
        .register(meters)
        .increment();
    response.setStatus(401);
    response.setHeader("WWW-Authenticate", challenge);
    response.setContentType(Api.PROBLEM_JSON);
    response
        .getOutputStream()
        .write(Json.write(Api.problemBody(401, "Unauthorized", detail, path(request))));
  }

  /** Whether {@code path} (a route template or request path) needs no key. */
  static boolean open(String path) {
    return OPEN_PATHS.contains(path);
  }
}
