package dev.ragtime.server.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ragtime.chunk.TokenCounter;
import dev.ragtime.embed.EmbeddingModel;
import dev.ragtime.embed.ModelInfo;
import dev.ragtime.server.http.Api;
import dev.ragtime.server.http.ApiException;
import dev.ragtime.server.http.Json;
import io.javalin.http.Context;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * {@code POST /v1/embeddings}: the OpenAI-compatible embeddings gateway, so the official OpenAI
 * SDKs (and anything speaking their wire format) embed through the service's one embedding
 * pipeline, sharing its cache, its micro-batching across clients and its pacing of the provider.
 *
 * <p>Request: {@code {"input": string | [string, ...], "model": string, "encoding_format": "float"
 * | "base64", "dimensions": int, "user": string}}. {@code model} must be {@value #DEFAULT_MODEL} or
 * the served model's id. {@code encoding_format} defaults to {@code float}; {@code base64} is the
 * vector's float32 values, little-endian, base64-encoded (what the OpenAI SDKs ask for and decode).
 * The served models have a fixed dimension, so {@code dimensions} is accepted only when it equals
 * it. Texts are embedded as passages ({@link EmbeddingModel.Purpose#DOCUMENT}).
 *
 * <p>Response: {@code {"object":"list","data":[{"object":"embedding","index":i,"embedding":...}],
 * "model":id,"usage":{"prompt_tokens":n,"total_tokens":n}}}, tokens counted with the model's own
 * tokenizer. Errors are the service's {@code application/problem+json} (the OpenAI SDKs raise their
 * status-specific error for them and keep the body), naming the bad field.
 */
public final class EmbeddingsRoute {
  /** The model name that always means "the model this service embeds with". */
  public static final String DEFAULT_MODEL = "default";

  /** Most texts in one request (OpenAI's own limit). */
  public static final int MAX_INPUTS = 2048;

  private final Supplier<EmbeddingModel> embedder;
  private final Supplier<ModelInfo> model;
  private final TokenCounter tokens;
  private final Api api;

  /**
   * @param embedder the service's embedding pipeline (fetched per request, so it may be built
   *     lazily)
   * @param model the served model's identity
   * @param tokens counts tokens as the model does, for {@code usage}
   */
  public EmbeddingsRoute(
      Supplier<EmbeddingModel> embedder, Supplier<ModelInfo> model, TokenCounter tokens, Api api) {
    this.embedder = Objects.requireNonNull(embedder, "embedder");
    this.model = Objects.requireNonNull(model, "model");
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.api = Objects.requireNonNull(api, "api");
  }

  public void register() {
    api.post("/v1/embeddings", this::embed);
  }

  /** The float32 values of {@code vector}, little-endian, base64-encoded (OpenAI's encoding). */
  public static String base64(float[] vector) {
    ByteBuffer buf =
        ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(vector);
    return Base64.getEncoder().encodeToString(buf.array());
  }

  private void embed(Context ctx) {
    JsonNode body = Json.object(api.jsonBody(ctx), "the request body");
    List<String> inputs = inputs(body.get("input"));
    ModelInfo info = model.get();
    String requested = Json.requiredString(body, "model", "model");
    if (!requested.equals(DEFAULT_MODEL) && !requested.equals(info.id())) {
      throw ApiException.invalidField(
          "model",
          "'model' must be '"
              + DEFAULT_MODEL
              + "' or '"
              + info.id()
              + "' (the model this service embeds with), was '"
              + requested
              + "'");
    }
    String format = Json.optionalString(body, "encoding_format", "encoding_format").orElse("float");
    if (!format.equals("float") && !format.equals("base64")) {
      throw ApiException.invalidField(
          "encoding_format", "'encoding_format' must be 'float' or 'base64', was '" + format + "'");
    }
    Json.optionalInt(body, "dimensions", "dimensions")
        .filter(d -> d != info.dimension())
        .ifPresent(
            d -> {
              throw ApiException.invalidField(
                  "dimensions",
                  "model '"
                      + info.id()
                      + "' has a fixed dimension of "
                      + info.dimension()
                      + "; 'dimensions' may only be "
                      + info.dimension()
                      + ", was "
                      + d);
            });
    Json.optionalString(body, "user", "user");

    api.cancelOnDisconnect(ctx);
    List<float[]> vectors = embedder.get().embed(inputs, EmbeddingModel.Purpose.DOCUMENT);
    long promptTokens = 0;
    for (String text : inputs) {
      promptTokens += tokens.count(text);
    }
    List<Map<String, Object>> data = new ArrayList<>(vectors.size());
    for (int i = 0; i < vectors.size(); i++) {
      var item = new LinkedHashMap<String, Object>();
      item.put("object", "embedding");
      item.put("index", i);
      item.put("embedding", format.equals("base64") ? base64(vectors.get(i)) : vectors.get(i));
      data.add(item);
    }
    var out = new LinkedHashMap<String, Object>();
    out.put("object", "list");
    out.put("data", data);
    out.put("model", info.id());
    out.put("usage", Map.of("prompt_tokens", promptTokens, "total_tokens", promptTokens));
    Api.json(ctx, 200, out);
  }

  /** {@code input}: one non-empty string, or a non-empty array of at most {@link #MAX_INPUTS}. */
  private static List<String> inputs(JsonNode input) {
    if (input == null || input.isNull()) {
      throw ApiException.invalidField(
          "input", "'input' is required: a string or an array of strings");
    }
    if (input.isTextual()) {
      return List.of(nonEmpty(input.textValue(), "input"));
    }
    if (!input.isArray() || input.isEmpty()) {
      throw ApiException.invalidField(
          "input", "'input' must be a non-empty string or a non-empty array of strings");
    }
    if (input.size() > MAX_INPUTS) {
      throw ApiException.invalidField(
          "input",
          "'input' holds " + input.size() + " texts; send at most " + MAX_INPUTS + " per request");
    }
    List<String> out = new ArrayList<>(input.size());
    for (int i = 0; i < input.size(); i++) {
      JsonNode v = input.get(i);
      String path = "input[" + i + "]";
      if (!v.isTextual()) {
        // Arrays of token ids are OpenAI's pre-tokenised form; this gateway takes text only.
        throw ApiException.invalidField(
            path, "'" + path + "' must be a string (token arrays are not accepted)");
      }
      out.add(nonEmpty(v.textValue(), path));
    }
    return out;
  }

  private static String nonEmpty(String text, String path) {
    if (text.isEmpty()) {
      throw ApiException.invalidField(path, "'" + path + "' must not be empty");
    }
    return text;
  }
}
