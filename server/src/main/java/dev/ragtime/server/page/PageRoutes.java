package dev.ragtime.server.page;

import dev.ragtime.server.http.Api;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * The search page for people: {@code GET /} (HTML), {@code GET /page.js} and {@code GET /page.css},
 * served from this package's classpath resources. The page uses only the public API ({@code
 * /v1/collections}, {@code /v1/collections/{name}/search}, {@code /v1/jobs}); it loads nothing from
 * elsewhere, so it works offline.
 *
 * <p>Every response carries a strict {@link #CONTENT_SECURITY_POLICY}: scripts, styles and requests
 * only from this origin and no inline script or style, so text from the index can never run as code
 * (the script also inserts it only as text).
 *
 * <p>Thread-safe: the files are read once, at construction.
 */
public final class PageRoutes {
  /** The policy sent with each of the page's files. */
  public static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self';"
          + " img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

  private record Asset(String contentType, byte[] bytes) {}

  private final Api api;
  private final Asset html = load("index.html", "text/html; charset=utf-8");
  private final Asset script = load("page.js", "text/javascript; charset=utf-8");
  private final Asset style = load("page.css", "text/css; charset=utf-8");

  public PageRoutes(Api api) {
    this.api = Objects.requireNonNull(api, "api");
  }

  public void register() {
    api.get("/", ctx -> serve(ctx, html));
    api.get("/page.js", ctx -> serve(ctx, script));
    api.get("/page.css", ctx -> serve(ctx, style));
  }

  private static void serve(Context ctx, Asset asset) {
    ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "no-referrer");
    ctx.header("Cache-Control", "no-cache");
    ctx.status(200).contentType(asset.contentType()).result(asset.bytes());
  }

  private static Asset load(String name, String contentType) {
    try (InputStream in = PageRoutes.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("the page resource " + name + " is missing from the jar");
      }
      return new Asset(contentType, in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("reading the page resource " + name, e);
    }
  }
}
