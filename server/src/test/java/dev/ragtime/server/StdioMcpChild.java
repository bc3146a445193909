package dev.ragtime.server;

import dev.ragtime.chunk.Chunker;
import dev.ragtime.chunk.ChunkerConfig;
import dev.ragtime.chunk.TokenCounter;
import dev.ragtime.document.DocumentParsers;
import dev.ragtime.index.LuceneCollections;
import dev.ragtime.ingest.IngestConfig;
import dev.ragtime.ingest.Ingestor;
import dev.ragtime.search.SearchConfig;
import dev.ragtime.search.Searcher;
import dev.ragtime.server.mcp.McpEndpoints;
import dev.ragtime.testing.FakeEmbeddingModel;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/**
 * A child process serving MCP over its stdin/stdout on a data directory (args[0]) with the fake
 * model, for {@link McpStdioTest}. Anything printed to System.out goes to stderr, as in {@code
 * ragtime mcp}.
 */
public final class StdioMcpChild {
  private StdioMcpChild() {}

  public static void main(String[] args) throws Exception {
    PrintStream protocol = System.out;
    System.setOut(System.err);
    var model = new FakeEmbeddingModel();
    Chunker chunker = Chunker.create(ChunkerConfig.defaults(), TokenCounter.approximate());
    var meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
      var parts =
          new ServerParts(
              LuceneCollections.at(Path.of(args[0])),
              model::info,
              index -> Ingestor.create(index, () -> model, chunker, IngestConfig.DEFAULT, threads),
              index -> Searcher.create(index, model, SearchConfig.DEFAULT),
              DocumentParsers.create(),
              threads,
              meters,
              () -> true,
              () -> {},
              Clock.systemUTC(),
              () -> model,
              TokenCounter.approximate());
      System.out.println("this line must reach stderr, not the protocol stream");
      McpEndpoints.serveStdio(parts, System.in, protocol, new CountDownLatch(1));
    }
    System.exit(0);
  }
}
