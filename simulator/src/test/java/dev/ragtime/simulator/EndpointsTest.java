package dev.ragtime.simulator;

import static dev.ragtime.simulator.TestHttp.floats;
import static dev.ragtime.simulator.TestHttp.json;
import static dev.ragtime.simulator.TestHttp.openAi;
import static dev.ragtime.simulator.TestHttp.post;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EndpointsTest {

  private static ProviderSimulator sim;
  private static HttpClient client;

  @BeforeAll
  static void start() {
    sim = ProviderSimulator.start(SimulatorConfig.builder().dimension(16).build());
    client = TestHttp.client();
  }

  @AfterAll
  static void stop() {
    client.close();
    sim.close();
  }

  private static URI uri(String path) {
    return sim.baseUri().resolve(path);
  }

  @Test
  void openAiEndpointReturnsEachTextsOwnVectorInInputOrderWithUsage() throws Exception {
    HttpResponse<String> response =
        post(
            client, uri("/v1/embeddings"), openAi("text-embedding-3-small", "alpha", "beta gamma"));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).contains("application/json");
    JsonNode body = json(response);
    assertThat(body.get("object").asText()).isEqualTo("list");
    assertThat(body.get("model").asText()).isEqualTo("text-embedding-3-small");
    JsonNode data = body.get("data");
    assertThat(data).hasSize(2);
    String[] texts = {"alpha", "beta gamma"};
    for (int i = 0; i < 2; i++) {
      assertThat(data.get(i).get("object").asText()).isEqualTo("embedding");
      assertThat(data.get(i).get("index").asInt()).isEqualTo(i);
      assertThat(floats(data.get(i).get("embedding")))
          .containsExactly(
              ProviderSimulator.expectedVector("text-embedding-3-small", texts[i], 16));
    }
    int tokens =
        ProviderSimulator.countTokens("alpha") + ProviderSimulator.countTokens("beta gamma");
    assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(tokens);
    assertThat(body.at("/usage/total_tokens").asInt()).isEqualTo(tokens);
  }

  @Test
  void openAiBase64EncodingCarriesLittleEndianFloat32() throws Exception {
    String request = "{\"model\":\"m\",\"input\":[\"one\",\"two\"],\"encoding_format\":\"base64\"}";
    JsonNode body = json(post(client, uri("/v1/embeddings"), request));

    String encoded = body.at("/data/1/embedding").asText();
    assertThat(ProviderSimulator.decodeBase64Vector(encoded))
        .containsExactly(ProviderSimulator.expectedVector("m", "two", 16));
  }

  @Test
  void openAiDimensionsParameterShortensTheVector() throws Exception {
    JsonNode body =
        json(
            post(
                client,
                uri("/v1/embeddings"),
                "{\"model\":\"m\",\"input\":\"x\",\"dimensions\":4}"));
    assertThat(floats(body.at("/data/0/embedding")))
        .containsExactly(ProviderSimulator.expectedVector("m", "x", 4));

    HttpResponse<String> tooMany =
        post(client, uri("/v1/embeddings"), "{\"model\":\"m\",\"input\":\"x\",\"dimensions\":17}");
    assertThat(tooMany.statusCode()).isEqualTo(400);
    assertThat(json(tooMany).at("/error/param").asText()).isEqualTo("dimensions");
  }

  @Test
  void ollamaEndpointAnswersInOllamasShape() throws Exception {
    HttpResponse<String> response =
        post(client, uri("/api/embed"), "{\"model\":\"nomic-embed-text\",\"input\":[\"a\",\"b\"]}");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = json(response);
    assertThat(body.get("model").asText()).isEqualTo("nomic-embed-text");
    assertThat(floats(body.at("/embeddings/1")))
        .containsExactly(ProviderSimulator.expectedVector("nomic-embed-text", "b", 16));
    assertThat(body.get("prompt_eval_count").asInt()).isEqualTo(2);
  }

  @Test
  void teiEndpointAnswersABareArrayForTheConfiguredModel() throws Exception {
    HttpResponse<String> response = post(client, uri("/embed"), "{\"inputs\":\"solo\"}");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = json(response);
    assertThat(body.isArray()).isTrue();
    assertThat(body).hasSize(1);
    assertThat(floats(body.get(0)))
        .containsExactly(
            ProviderSimulator.expectedVector(SimulatorConfig.DEFAULT_MODEL, "solo", 16));
  }

  @Test
  void invalidRequestsGetOpenAiShapedErrors() throws Exception {
    HttpResponse<String> noModel = post(client, uri("/v1/embeddings"), "{\"input\":\"x\"}");
    assertThat(noModel.statusCode()).isEqualTo(400);
    assertThat(json(noModel).at("/error/type").asText()).isEqualTo("invalid_request_error");
    assertThat(json(noModel).at("/error/param").asText()).isEqualTo("model");

    HttpResponse<String> notJson = post(client, uri("/v1/embeddings"), "{nope");
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(json(notJson).at("/error/code").asText()).isEqualTo("invalid_json");

    HttpResponse<String> empty =
        post(client, uri("/v1/embeddings"), "{\"model\":\"m\",\"input\":[\"a\",\"\"]}");
    assertThat(json(empty).at("/error/message").asText()).contains("input[1]").contains("empty");

    HttpResponse<String> tokenArrays =
        post(client, uri("/v1/embeddings"), "{\"model\":\"m\",\"input\":[[1,2,3]]}");
    assertThat(tokenArrays.statusCode()).isEqualTo(400);
  }

  @Test
  void ollamaAndTeiErrorsUseTheirOwnShapes() throws Exception {
    HttpResponse<String> ollama = post(client, uri("/api/embed"), "{\"input\":\"x\"}");
    assertThat(ollama.statusCode()).isEqualTo(400);
    assertThat(json(ollama).get("error").asText()).isEqualTo("model is required");

    HttpResponse<String> tei = post(client, uri("/embed"), "{\"text\":\"x\"}");
    assertThat(tei.statusCode()).isEqualTo(422);
    assertThat(json(tei).get("error_type").asText()).isEqualTo("Validation");
  }

  @Test
  void unknownPathIs404AndGetIs405() throws Exception {
    HttpResponse<String> unknown = post(client, uri("/v1/chat/completions"), "{}");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(json(unknown).at("/error/message").asText()).contains("/v1/chat/completions");

    HttpResponse<String> get =
        client.send(
            HttpRequest.newBuilder(uri("/v1/embeddings")).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(get.headers().firstValue("allow")).contains("POST");
  }

  @Test
  void healthEndpointAnswersAndIsNotCounted() throws Exception {
    long before = sim.counters().requestsReceived();
    HttpResponse<String> health =
        client.send(
            HttpRequest.newBuilder(uri("/health")).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(sim.counters().requestsReceived()).isEqualTo(before);
  }

  @Test
  void defaultHttpClientWithItsH2cUpgradeAttemptIsServedOverHttp11() throws Exception {
    try (HttpClient http2 = HttpClient.newHttpClient()) {
      HttpResponse<String> response = post(http2, uri("/v1/embeddings"), openAi("m", "upgrade?"));
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    }
  }

  @Test
  void chunkedRequestBodiesAndExpectContinueAreUnderstood() throws Exception {
    String json = openAi("m", "chunky");
    String chunked =
        "POST /v1/embeddings HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
            + "Content-Type: application/json\r\nConnection: close\r\n\r\n"
            + Integer.toHexString(5)
            + "\r\n"
            + json.substring(0, 5)
            + "\r\n"
            + Integer.toHexString(json.length() - 5)
            + "\r\n"
            + json.substring(5)
            + "\r\n0\r\n\r\n";
    try (Socket socket = new Socket(sim.baseUri().getHost(), sim.port())) {
      String response = TestHttp.exchangeRaw(socket, chunked, 1);
      assertThat(response).startsWith("HTTP/1.1 200 OK").contains("\"embedding\"");
    }

    try (HttpClient expecting = TestHttp.client()) {
      HttpRequest request =
          HttpRequest.newBuilder(uri("/v1/embeddings"))
              .expectContinue(true)
              .POST(HttpRequest.BodyPublishers.ofString(openAi("m", "continue")))
              .build();
      assertThat(expecting.send(request, HttpResponse.BodyHandlers.ofString()).statusCode())
          .isEqualTo(200);
    }
  }

  @Test
  void twoSimulatorsServingTheSameModelReturnIdenticalVectors() throws Exception {
    try (ProviderSimulator other =
        ProviderSimulator.start(SimulatorConfig.builder().dimension(16).seed(7).build())) {
      String request = openAi("shared-model", "failover text");
      JsonNode a = json(post(client, uri("/v1/embeddings"), request));
      JsonNode b = json(post(client, other.baseUri().resolve("/v1/embeddings"), request));
      assertThat(a.at("/data/0/embedding")).isEqualTo(b.at("/data/0/embedding"));
    }
  }

  @Test
  void strictModelRejectsOtherModelNamesWith404() throws Exception {
    try (ProviderSimulator strict =
        ProviderSimulator.start(
            SimulatorConfig.builder().model("only-this").acceptAnyModel(false).build())) {
      HttpResponse<String> other =
          post(client, strict.baseUri().resolve("/v1/embeddings"), openAi("other", "x"));
      assertThat(other.statusCode()).isEqualTo(404);
      assertThat(json(other).at("/error/code").asText()).isEqualTo("model_not_found");
      HttpResponse<String> served =
          post(client, strict.baseUri().resolve("/v1/embeddings"), openAi("only-this", "x"));
      assertThat(served.statusCode()).isEqualTo(200);
    }
  }
}
