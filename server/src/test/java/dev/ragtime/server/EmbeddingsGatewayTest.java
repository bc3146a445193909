package dev.ragtime.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ragtime.embed.EmbeddingConfig;
import dev.ragtime.embed.EmbeddingPipeline;
import dev.ragtime.testing.FakeEmbeddingModel;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /v1/embeddings} against a real server whose gateway embeds through a real {@link
 * EmbeddingPipeline} (in front of the fake model), called the way the OpenAI Python SDK calls it.
 */
class EmbeddingsGatewayTest {
  @TempDir static Path tmp;
  static ExecutorService threads;
  static FakeEmbeddingModel local;
  static EmbeddingPipeline pipeline;
  static TestServer s;

  @BeforeAll
  static void start() {
    threads = Executors.newVirtualThreadPerTaskExecutor();
    local = new FakeEmbeddingModel();
    pipeline =
        EmbeddingPipeline.builder(EmbeddingConfig.builder().build())
            .executor(threads)
            .localModel(local)
            .build();
    s = new TestServer(tmp.resolve("data"), ServerConfig.defaults(), null, pipeline);
  }

  @AfterAll
  static void stop() {
    s.close();
    pipeline.close();
    threads.close();
  }

  /** The exact request of {@code openai.OpenAI(...).embeddings.create(input=[...], model=...)}. */
  private static HttpResponse<String> sdkRequest(String body) throws Exception {
    var request =
        HttpRequest.newBuilder(URI.create(s.base + "/v1/embeddings"))
            .header("Accept", "application/json")
            .header("Content-Type", "application/json")
            .header("User-Agent", "OpenAI/Python 1.99.9")
            .header("Authorization", "Bearer sk-anything")
            .header("X-Stainless-Lang", "python")
            .header("X-Stainless-Package-Version", "1.99.9")
            .header("X-Stainless-Retry-Count", "0")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return s.client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private static float[] decode(String base64) {
    ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(base64));
    var floats = bytes.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    float[] out = new float[floats.remaining()];
    floats.get(out);
    return out;
  }

  @Test
  void theSdksBase64RequestDecodesToThePipelinesVectors() throws Exception {
    List<String> texts = List.of("wild yeast ferments the dough", "magma reaches the surface");
    var r =
        sdkRequest(
            "{\"input\": [\"wild yeast ferments the dough\", \"magma reaches the surface\"],"
                + " \"model\": \"default\", \"encoding_format\": \"base64\"}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("application/json");
    JsonNode body = TestServer.JSON.readTree(r.body());
    assertThat(body.get("object").asText()).isEqualTo("list");
    assertThat(body.get("model").asText()).isEqualTo(FakeEmbeddingModel.DEFAULT_INFO.id());
    assertThat(body.get("data")).hasSize(2);
    List<float[]> expected = pipeline.embed(texts);
    for (int i = 0; i < 2; i++) {
      JsonNode item = body.get("data").get(i);
      assertThat(item.get("object").asText()).isEqualTo("embedding");
      assertThat(item.get("index").asInt()).isEqualTo(i);
      assertThat(decode(item.get("embedding").asText())).containsExactly(expected.get(i));
    }
    JsonNode usage = body.get("usage");
    assertThat(usage.get("prompt_tokens").asLong()).isPositive();
    assertThat(usage.get("total_tokens").asLong()).isEqualTo(usage.get("prompt_tokens").asLong());
  }

  @Test
  void floatFormatAndASingleStringInputGiveThePipelinesVector() throws Exception {
    var r =
        sdkRequest(
            "{\"input\": \"lava erupts from the vent\", \"model\": \""
                + FakeEmbeddingModel.DEFAULT_INFO.id()
                + "\", \"encoding_format\": \"float\", \"dimensions\": 64}");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode vector = TestServer.JSON.readTree(r.body()).get("data").get(0).get("embedding");
    float[] got = new float[vector.size()];
    for (int i = 0; i < got.length; i++) {
      got[i] = vector.get(i).floatValue();
    }
    assertThat(got).containsExactly(pipeline.embed(List.of("lava erupts from the vent")).get(0));
  }

  @Test
  void repeatedTextsAreServedFromThePipelinesCache() throws Exception {
    String body =
        "{\"input\": [\"a text only this test sends\"], \"model\": \"default\","
            + " \"encoding_format\": \"base64\"}";
    assertThat(sdkRequest(body).statusCode()).isEqualTo(200);
    int embedded = local.embeddedTexts();
    assertThat(sdkRequest(body).statusCode()).isEqualTo(200);
    assertThat(local.embeddedTexts()).isEqualTo(embedded);
  }

  @Test
  void badFieldsAreProblemsThatNameTheField() throws Exception {
    String[][] cases = {
      {"{\"input\": [\"x\"], \"model\": \"default\", \"dimensions\": 32}", "dimensions"},
      {"{\"input\": [\"x\"], \"model\": \"text-embedding-3-small\"}", "model"},
      {
        "{\"input\": [\"x\"], \"model\": \"default\", \"encoding_format\": \"int8\"}",
        "encoding_format"
      },
      {"{\"input\": [], \"model\": \"default\"}", "input"},
      {"{\"input\": [\"x\", 7], \"model\": \"default\"}", "input[1]"},
      {"{\"input\": [\"\"], \"model\": \"default\"}", "input[0]"},
      {"{\"model\": \"default\"}", "input"},
      {"{\"input\": \"x\"}", "model"},
    };
    for (String[] c : cases) {
      var r = sdkRequest(c[0]);
      assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
      assertThat(r.headers().firstValue("content-type").orElse(""))
          .startsWith("application/problem+json");
      assertThat(TestServer.JSON.readTree(r.body()).get("field").asText()).as(c[0]).isEqualTo(c[1]);
    }
  }
}
