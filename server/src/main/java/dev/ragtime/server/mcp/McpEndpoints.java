package dev.ragtime.server.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragtime.document.DocumentParsers;
import dev.ragtime.server.ServerConfig;
import dev.ragtime.server.ServerParts;
import dev.ragtime.server.auth.Grant;
import dev.ragtime.server.collections.OpenCollections;
import dev.ragtime.server.jobs.Jobs;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.servlet.http.HttpServlet;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds Ragtime's MCP server (the official Java SDK) over either transport, with the tools of
 * {@link RagtimeTools}: streamable HTTP at {@value #PATH}, a servlet mounted in the service's own
 * Jetty, and stdio for {@code ragtime mcp}. Both serve the same tools on the same collections and
 * ingestion queue as the REST API.
 */
public final class McpEndpoints {
  private static final Logger log = LoggerFactory.getLogger(McpEndpoints.class);

  /** Where the streamable HTTP transport is mounted. */
  public static final String PATH = "/mcp";

  static final String NAME = "ragtime";
  static final String VERSION = "0.1.0";

  /** The key of the request's {@link Grant} in the MCP transport context. */
  private static final String GRANT = "ragtime.grant";

  private static final String INSTRUCTIONS =
      "Ragtime searches collections of documents. Call list_collections to see what can be"
          + " searched, search to find passages, ingest_text to add a document, get_document to"
          + " read a whole document.";

  private McpEndpoints() {}

  /** The SDK's JSON mapper over Jackson 2. */
  static McpJsonMapper mapper() {
    return new JacksonMcpJsonMapper(new ObjectMapper());
  }

  /** A running MCP server and the servlet that carries its streamable HTTP transport. */
  public record Http(McpSyncServer server, HttpServlet servlet) implements AutoCloseable {
    /** Closes every MCP session (their in-flight tool calls finish first). */
    @Override
    public void close() {
      server.closeGracefully();
    }
  }

  /**
   * The MCP server over streamable HTTP: mount {@link Http#servlet()} at {@value #PATH} (async
   * supported), and close it before the collections.
   */
  public static Http http(OpenCollections collections, Jobs jobs, DocumentParsers parsers) {
    McpJsonMapper mapper = mapper();
    var transport =
        HttpServletStreamableServerTransportProvider.builder()
            .jsonMapper(mapper)
            .mcpEndpoint(PATH)
            .keepAliveInterval(Duration.ofSeconds(30))
            // Each request's API key grant (put there by AccessFilter) travels to its tool calls.
            .contextExtractor(
                request -> McpTransportContext.create(Map.of(GRANT, Grant.of(request))))
            .build();
    McpSyncServer server =
        build(
            McpServer.sync(transport),
            new RagtimeTools(collections, jobs, parsers, mapper, McpEndpoints::grant));
    return new Http(server, transport);
  }

  /**
   * The MCP server over stdio: newline-delimited JSON-RPC read from {@code in}, written to {@code
   * out}. It serves until {@code in} ends; close the returned server afterwards.
   */
  public static McpSyncServer stdio(
      OpenCollections collections,
      Jobs jobs,
      DocumentParsers parsers,
      InputStream in,
      OutputStream out) {
    McpJsonMapper mapper = mapper();
    var transport = new StdioServerTransportProvider(mapper, in, out);
    // Whoever starts the stdio server runs it with their own rights on the data directory.
    return build(
        McpServer.sync(transport),
        new RagtimeTools(collections, jobs, parsers, mapper, context -> Grant.FULL));
  }

  /**
   * Serves MCP over stdio on the service's parts (the same wiring as {@code ragtime serve}, without
   * HTTP) until {@code in} ends or {@code stop} is counted down (by a signal handler), then waits
   * for accepted ingestion jobs (each commits) and closes the collections. Writes nothing but
   * JSON-RPC messages to {@code out}.
   *
   * @throws InterruptedException if interrupted while serving; the collections are still closed
   */
  public static void serveStdio(
      ServerParts parts, InputStream in, OutputStream out, CountDownLatch stop)
      throws InterruptedException {
    CountDownLatch ended = stop;
    InputStream watched =
        new FilterInputStream(in) {
          @Override
          public int read() throws IOException {
            return ended(super.read());
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            return ended(super.read(b, off, len));
          }

          private int ended(int n) {
            if (n < 0) {
              ended.countDown();
            }
            return n;
          }
        };
    ServerConfig config = ServerConfig.defaults();
    try (var collections =
        new OpenCollections(
            parts.collections(), parts.model(), parts.ingestors(), parts.searchers())) {
      var jobs = new Jobs(collections, parts.executor(), config.jobs(), parts.clock());
      McpSyncServer server = stdio(collections, jobs, parts.parsers(), watched, out);
      try {
        ended.await();
      } finally {
        server.closeGracefully();
        if (!jobs.drain(config.drainTimeout())) {
          log.warn("ingestion jobs still running after {}; stopping anyway", config.drainTimeout());
        }
      }
    }
  }

  /** The grant of a call over HTTP; a context without one gets no rights (fails closed). */
  private static Grant grant(McpTransportContext context) {
    if (context.get(GRANT) instanceof Grant g) {
      return g;
    }
    throw new IllegalStateException("the MCP request carries no access grant");
  }

  private static McpSyncServer build(McpServer.SyncSpecification<?> spec, RagtimeTools tools) {
    return spec.serverInfo(NAME, VERSION)
        .instructions(INSTRUCTIONS)
        .jsonMapper(tools.mapper())
        .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
        .tools(tools.specifications())
        .requestTimeout(Duration.ofMinutes(10))
        .build();
  }
}
