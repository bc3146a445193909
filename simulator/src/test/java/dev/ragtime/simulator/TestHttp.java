package dev.ragtime.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Small helpers for talking to a simulator with real clients. */
final class TestHttp {

  static final ObjectMapper JSON = new ObjectMapper();

  private TestHttp() {}

  static HttpClient client() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  static HttpResponse<String> post(HttpClient client, URI uri, String body)
      throws IOException, InterruptedException {
    return post(client, uri, body, Duration.ofSeconds(10));
  }

  static HttpResponse<String> post(HttpClient client, URI uri, String body, Duration timeout)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(HttpResponse<String> response) {
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An OpenAI request body; one input is sent as a plain string, several as an array. */
  static String openAi(String model, String... inputs) {
    ObjectNode root = JSON.createObjectNode().put("model", model);
    if (inputs.length == 1) {
      root.put("input", inputs[0]);
    } else {
      ArrayNode array = root.putArray("input");
      for (String input : inputs) {
        array.add(input);
      }
    }
    return root.toString();
  }

  static float[] floats(JsonNode array) {
    float[] out = new float[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = Float.parseFloat(array.get(i).asText());
    }
    return out;
  }

  /**
   * Writes raw HTTP/1.1 bytes on a socket and reads until the server closes or {@code max} bytes.
   */
  static String exchangeRaw(Socket socket, String request, int responses) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(request.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    return readResponses(socket.getInputStream(), responses);
  }

  /** Reads {@code count} complete responses (Content-Length framed). */
  static String readResponses(InputStream in, int count) throws IOException {
    StringBuilder all = new StringBuilder();
    for (int n = 0; n < count; n++) {
      StringBuilder head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("EOF in response head: " + head);
        }
        head.append((char) b);
      }
      int length = 0;
      for (String line : head.toString().split("\r\n")) {
        if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(line.substring(15).trim());
        }
      }
      byte[] body = in.readNBytes(length);
      all.append(head).append(new String(body, StandardCharsets.UTF_8));
    }
    return all.toString();
  }
}
