package dev.ragtime.embed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny OpenAI-compatible server whose answers a test scripts: for each request the script sees
 * the inputs and the request number and returns the status, headers and body. Records requests.
 */
final class ScriptedProvider implements AutoCloseable {
  record Answer(int status, Map<String, String> headers, String body) {}

  @FunctionalInterface
  interface Script {
    Answer answer(int requestNumber, List<String> inputs);
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpServer server;
  private final ExecutorService executor;
  final List<List<String>> requests = new CopyOnWriteArrayList<>();
  final List<String> authorizations = new CopyOnWriteArrayList<>();
  private final AtomicInteger count = new AtomicInteger();

  ScriptedProvider(Script script) throws IOException {
    executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("fixture-", 0).factory());
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    server.createContext(
        "/v1/embeddings",
        exchange -> {
          JsonNode root = JSON.readTree(exchange.getRequestBody());
          List<String> inputs = new ArrayList<>();
          root.get("input").forEach(n -> inputs.add(n.asText()));
          requests.add(inputs);
          String auth = exchange.getRequestHeaders().getFirst("Authorization");
          authorizations.add(auth == null ? "" : auth);
          Answer a = script.answer(count.incrementAndGet(), inputs);
          a.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(a.status(), body.length == 0 ? -1 : body.length);
          if (body.length > 0) {
            exchange.getResponseBody().write(body);
          }
          exchange.close();
        });
    server.start();
  }

  URI baseUri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** A 200 answer with deterministic 3-d unit vectors derived from each input's length. */
  static Answer ok(List<String> inputs) {
    var sb = new StringBuilder("{\"object\":\"list\",\"data\":[");
    for (int i = 0; i < inputs.size(); i++) {
      float[] v = vectorFor(inputs.get(i));
      sb.append(i == 0 ? "" : ",")
          .append("{\"index\":")
          .append(i)
          .append(",\"embedding\":[")
          .append(v[0])
          .append(',')
          .append(v[1])
          .append(',')
          .append(v[2])
          .append("]}");
    }
    sb.append("],\"usage\":{\"prompt_tokens\":").append(inputs.size()).append("}}");
    return new Answer(200, Map.of(), sb.toString());
  }

  /** A 200 answer whose vectors have {@code dimension} components (unit length, from the text). */
  static Answer ok(List<String> inputs, int dimension) {
    var sb = new StringBuilder("{\"object\":\"list\",\"data\":[");
    for (int i = 0; i < inputs.size(); i++) {
      float[] v = vectorFor(inputs.get(i), dimension);
      sb.append(i == 0 ? "" : ",").append("{\"index\":").append(i).append(",\"embedding\":[");
      for (int j = 0; j < v.length; j++) {
        sb.append(j == 0 ? "" : ",").append(v[j]);
      }
      sb.append("]}");
    }
    sb.append("],\"usage\":{\"prompt_tokens\":").append(inputs.size()).append("}}");
    return new Answer(200, Map.of(), sb.toString());
  }

  static float[] vectorFor(String text, int dimension) {
    float[] three = vectorFor(text);
    float[] v = new float[dimension];
    System.arraycopy(three, 0, v, 0, Math.min(3, dimension));
    return v;
  }

  static float[] vectorFor(String text) {
    double a = text.hashCode() % 1000 / 1000.0;
    double[] v = {Math.cos(a), Math.sin(a), 0};
    return new float[] {(float) v[0], (float) v[1], 0f};
  }

  static Answer error(int status, String message, Map<String, String> headers) {
    return new Answer(
        status, headers, "{\"error\":{\"message\":\"" + message + "\",\"type\":\"x\"}}");
  }

  @Override
  public void close() {
    server.stop(0);
    executor.close();
  }
}
