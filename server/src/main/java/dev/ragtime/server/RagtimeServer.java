package dev.ragtime.server;

import dev.ragtime.index.CollectionNotFoundException;
import dev.ragtime.ingest.SourceScan;
import dev.ragtime.server.auth.AccessFilter;
import dev.ragtime.server.auth.RouteAccess;
import dev.ragtime.server.collections.CollectionRoutes;
import dev.ragtime.server.collections.OpenCollections;
import dev.ragtime.server.documents.DocumentRoutes;
import dev.ragtime.server.gateway.EmbeddingsRoute;
import dev.ragtime.server.health.HealthRoutes;
import dev.ragtime.server.http.Api;
import dev.ragtime.server.http.BodyLimitFilter;
import dev.ragtime.server.jobs.Job;
import dev.ragtime.server.jobs.JobRoutes;
import dev.ragtime.server.jobs.Jobs;
import dev.ragtime.server.mcp.McpEndpoints;
import dev.ragtime.server.openapi.OpenApiRoute;
import dev.ragtime.server.page.PageRoutes;
import dev.ragtime.server.search.SearchRoutes;
import io.javalin.Javalin;
import io.javalin.config.SizeUnit;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ragtime service: the REST API on Javalin (Jetty 12, one virtual thread per request), with one
 * open index per collection, one ingestion queue and the process's one model and pipeline, all kept
 * for the server's lifetime.
 *
 * <p>Lifecycle: {@link #start} binds and serves; {@link #close} stops accepting connections, lets
 * in-flight requests finish, waits for accepted ingestion jobs (each commits what it ingested), and
 * closes the indexes. The parts it was given (model, executor, meters) belong to the composition
 * root, which closes them after this.
 *
 * <p>Thread-safe.
 */
public final class RagtimeServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RagtimeServer.class);

  private final ServerConfig config;
  private final ServerParts parts;
  private final OpenCollections collections;
  private final Jobs jobs;
  private final Javalin app;
  private final McpEndpoints.Http mcp;
  private final AtomicBoolean accepting = new AtomicBoolean(true);
  private final AtomicBoolean closed = new AtomicBoolean();

  private RagtimeServer(ServerConfig config, ServerParts parts) {
    this.config = Objects.requireNonNull(config, "config");
    this.parts = Objects.requireNonNull(parts, "parts");
    this.collections =
        new OpenCollections(
            parts.collections(), parts.model(), parts.ingestors(), parts.searchers());
    this.jobs = new Jobs(collections, parts.executor(), config.jobs(), parts.clock());
    this.mcp = McpEndpoints.http(collections, jobs, parts.parsers());
    this.app =
        Javalin.create(
            c -> {
              c.concurrency.useVirtualThreads = true;
              c.startup.showJavalinBanner = false;
              c.startup.showOldJavalinVersionWarning = false;
              c.http.prefer405over404 = true;
              c.http.maxRequestSize = config.maxBodyBytes();
              c.jetty.multipartConfig.maxTotalRequestSize(config.maxBodyBytes(), SizeUnit.BYTES);
              c.jetty.multipartConfig.maxFileSize(config.maxBodyBytes(), SizeUnit.BYTES);
              c.jetty.modifyServletContextHandler(
                  context -> {
                    // Every request, REST and MCP, is authenticated before a servlet sees it.
                    context.addFilter(
                        new FilterHolder(new AccessFilter(config.keys(), parts.meters())),
                        "/*",
                        EnumSet.of(DispatcherType.REQUEST));
                    // MCP reads its own bodies: held to the REST routes' limit here.
                    context.addFilter(
                        new FilterHolder(new BodyLimitFilter(config.maxBodyBytes())),
                        McpEndpoints.PATH,
                        EnumSet.of(DispatcherType.REQUEST));
                    var holder = new ServletHolder(mcp.servlet());
                    holder.setAsyncSupported(true);
                    context.addServlet(holder, McpEndpoints.PATH);
                  });
              c.jetty.modifyServer(
                  server -> {
                    // On stop, connectors close first; requests in flight then have up to the
                    // drain timeout to finish instead of being cut.
                    server.insertHandler(new GracefulHandler());
                    server.setStopTimeout(config.drainTimeout().toMillis());
                  });
              var api = new Api(c.routes, parts.meters(), config.maxBodyBytes(), new RouteAccess());
              // Another node dropped a collection this one has open: answer 404 and reopen it
              // on the next request, should it exist again by then.
              c.routes.exception(
                  CollectionNotFoundException.class,
                  (e, ctx) -> {
                    collections.forget(e.collection());
                    Api.problem(ctx, e);
                  });
              new HealthRoutes(parts.meters(), parts.modelLoaded(), accepting::get, api).register();
              new OpenApiRoute(api).register();
              new CollectionRoutes(collections, api).register();
              new DocumentRoutes(collections, jobs, parts.parsers(), api, parts.queue()).register();
              new SearchRoutes(collections, api).register();
              new JobRoutes(jobs, parts.queue(), api).register();
              new EmbeddingsRoute(parts.embedder(), parts.model(), parts.tokens(), api).register();
              new PageRoutes(api).register();
            });
  }

  /** Builds the service; nothing listens until {@link #start}. */
  public static RagtimeServer create(ServerConfig config, ServerParts parts) {
    return new RagtimeServer(config, parts);
  }

  /**
   * Binds {@link ServerConfig#host()}:{@link ServerConfig#port()} and serves; loads the model in
   * the background.
   */
  public RagtimeServer start() {
    app.start(config.host(), config.port());
    parts
        .executor()
        .execute(
            () -> {
              try {
                parts.warmUp().run();
              } catch (RuntimeException e) {
                log.warn("loading the embedding model failed: {}", e.getMessage());
              }
            });
    return this;
  }

  /** The port the server listens on (useful with port 0). */
  public int port() {
    return app.port();
  }

  /** The ingestion queue (for tests in this package). */
  Jobs jobs() {
    return jobs;
  }

  /** Whether {@link #close} has begun. */
  boolean stopping() {
    return closed.get();
  }

  /** Queues a background ingestion of scanned files (for {@code serve --ingest}). */
  public Job ingest(String collection, String source, SourceScan scan) {
    collections.create(collection);
    return jobs.submitScan(collection, source, scan);
  }

  /**
   * Stops the service: no new connections, in-flight requests finish (up to the drain timeout),
   * accepted jobs finish and commit, indexes close. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    accepting.set(false);
    mcp.close();
    app.stop();
    try {
      if (!jobs.drain(config.drainTimeout())) {
        log.warn("ingestion jobs still running after {}; stopping anyway", config.drainTimeout());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    collections.close();
  }
}
