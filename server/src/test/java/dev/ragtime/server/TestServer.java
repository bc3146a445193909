package dev.ragtime.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragtime.chunk.Chunker;
import dev.ragtime.chunk.ChunkerConfig;
import dev.ragtime.chunk.TokenCounter;
import dev.ragtime.document.DocumentParsers;
import dev.ragtime.embed.EmbeddingModel;
import dev.ragtime.index.LuceneCollections;
import dev.ragtime.ingest.IngestConfig;
import dev.ragtime.ingest.IngestQueue;
import dev.ragtime.ingest.Ingestor;
import dev.ragtime.search.SearchConfig;
import dev.ragtime.search.Searcher;
import dev.ragtime.testing.FakeEmbeddingModel;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real server on 127.0.0.1 and a free port, with a real on-disk index and the fast fake embedding
 * model, plus a java.net.http client that remembers every exchange (for the OpenAPI check).
 */
final class TestServer implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  /** One request and its response, with the route template it was sent to. */
  record Exchange(String method, String route, int status, String contentType, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }
  }

  /** A response: status, headers, body. */
  record Response(int status, Map<String, List<String>> headers, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }

    String header(String name) {
      return headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0))
          .findFirst()
          .orElse(null);
    }

    String contentType() {
      String t = header("content-type");
      return t == null ? "" : t;
    }
  }

  final FakeEmbeddingModel model = new FakeEmbeddingModel();
  final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
  final RagtimeServer server;
  final HttpClient client = HttpClient.newHttpClient();
  final List<Exchange> exchanges = new ArrayList<>();
  final String base;

  TestServer(Path data) {
    this(data, ServerConfig.defaults(), null);
  }

  TestServer(Path data, ServerConfig config, Executor jobExecutor) {
    this(data, config, jobExecutor, null);
  }

  /**
   * @param jobExecutor runs ingestion jobs; null for virtual threads
   * @param queryModel embeds queries; null for the fake model that ingestion uses
   */
  TestServer(Path data, ServerConfig config, Executor jobExecutor, EmbeddingModel queryModel) {
    this(data, config, jobExecutor, queryModel, null);
  }

  /** A server whose posted documents go to {@code queue} (null: ingested in-process). */
  TestServer(Path data, IngestQueue queue) {
    this(data, ServerConfig.defaults(), null, null, queue);
  }

  private TestServer(
      Path data,
      ServerConfig config,
      Executor jobExecutor,
      EmbeddingModel queryModel,
      IngestQueue queue) {
    var collections = LuceneCollections.at(data);
    Chunker chunker = Chunker.create(ChunkerConfig.defaults(), TokenCounter.approximate());
    Executor jobs = jobExecutor == null ? threads : jobExecutor;
    var parts =
        new ServerParts(
            collections,
            model::info,
            index -> Ingestor.create(index, () -> model, chunker, IngestConfig.DEFAULT, threads),
            index ->
                Searcher.create(
                    index, queryModel == null ? model : queryModel, SearchConfig.DEFAULT),
            DocumentParsers.create(),
            jobs,
            meters,
            () -> true,
            () -> {},
            Clock.systemUTC(),
            () -> queryModel == null ? model : queryModel,
            TokenCounter.approximate());
    if (queue != null) {
      parts = parts.withQueue(queue);
    }
    server = RagtimeServer.create(config.withAddress("127.0.0.1", 0), parts).start();
    base = "http://127.0.0.1:" + server.port();
  }

  Response send(String method, String route, String path, String contentType, byte[] body) {
    return send(method, route, path, contentType, body, null);
  }

  /** Sends a request, with {@code Authorization: Bearer <key>} unless {@code key} is null. */
  Response send(
      String method, String route, String path, String contentType, byte[] body, String key) {
    var b = HttpRequest.newBuilder(URI.create(base + path));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    try {
      HttpResponse<String> r =
          client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      var response = new Response(r.statusCode(), r.headers().map(), r.body());
      synchronized (exchanges) {
        exchanges.add(
            new Exchange(method, route, r.statusCode(), response.contentType(), r.body()));
      }
      return response;
    } catch (IOException e) {
      throw new AssertionError(method + " " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  Response get(String route, String path) {
    return send("GET", route, path, null, null);
  }

  Response delete(String route, String path) {
    return send("DELETE", route, path, null, null);
  }

  Response put(String route, String path) {
    return send("PUT", route, path, null, null);
  }

  Response postJson(String route, String path, String json) {
    return send("POST", route, path, "application/json", json.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void close() {
    server.close();
    threads.close();
    meters.close();
  }
}
