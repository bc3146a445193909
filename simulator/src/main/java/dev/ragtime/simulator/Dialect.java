package dev.ragtime.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The three wire formats the simulator speaks: request parsing, success bodies and error bodies.
 *
 * <table>
 *   <caption>Endpoints</caption>
 *   <tr><th>dialect</th><th>path</th><th>request</th><th>response</th><th>error body</th></tr>
 *   <tr><td>OpenAI</td><td>{@code POST /v1/embeddings}</td>
 *       <td>{@code {"model", "input": string|[string], "encoding_format"?, "dimensions"?}}</td>
 *       <td>{@code {"object":"list","data":[{"object":"embedding","index","embedding"}],"model","usage"}}</td>
 *       <td>{@code {"error":{"message","type","param","code"}}}</td></tr>
 *   <tr><td>Ollama</td><td>{@code POST /api/embed}</td>
 *       <td>{@code {"model", "input": string|[string], "dimensions"?}}</td>
 *       <td>{@code {"model","embeddings":[[...]],"total_duration","load_duration","prompt_eval_count"}}</td>
 *       <td>{@code {"error": message}}</td></tr>
 *   <tr><td>TEI</td><td>{@code POST /embed}</td>
 *       <td>{@code {"inputs": string|[string]}}</td>
 *       <td>{@code [[...]]}</td>
 *       <td>{@code {"error": message, "error_type"}}, with TEI's statuses: 413 for the size caps,
 *           422 for other validation errors</td></tr>
 * </table>
 *
 * <p>Unknown request fields are ignored ({@code user}, {@code truncate}, {@code normalize}, {@code
 * keep_alive}, ...): inputs are never truncated and vectors are always normalised. Empty strings
 * and empty input lists are rejected by all three. Floats are written with {@link Float#toString},
 * so parsing them with {@link Float#parseFloat} gives the exact vector.
 */
enum Dialect {
  OPENAI("/v1/embeddings") {
    @Override
    EmbedRequest parse(JsonNode root, SimulatorConfig config) throws ApiError {
      String model = requireModel(root, "you must provide a model parameter");
      List<String> inputs = inputs(root, "input");
      boolean base64 = false;
      JsonNode format = root.get("encoding_format");
      if (format != null && !format.isNull()) {
        switch (format.isTextual() ? format.asText() : "") {
          case "float" -> base64 = false;
          case "base64" -> base64 = true;
          default ->
              throw new ApiError(
                  ApiError.Kind.INVALID_REQUEST,
                  "Invalid value for 'encoding_format': "
                      + format
                      + ". Supported values are: 'float' and 'base64'.",
                  "invalid_value",
                  null,
                  "encoding_format");
        }
      }
      return new EmbedRequest(model, inputs, base64, dimensions(root, config));
    }

    @Override
    void writeSuccess(JsonOut out, EmbedRequest request, List<float[]> vectors, long tokens) {
      out.raw("{\"object\":\"list\",\"data\":[");
      for (int i = 0; i < vectors.size(); i++) {
        if (i > 0) {
          out.raw(',');
        }
        out.raw("{\"object\":\"embedding\",\"index\":").number(i).raw(",\"embedding\":");
        if (request.base64()) {
          out.base64Vector(vectors.get(i));
        } else {
          out.vector(vectors.get(i));
        }
        out.raw('}');
      }
      out.raw("],\"model\":").string(request.model());
      out.raw(",\"usage\":{\"prompt_tokens\":").number(tokens);
      out.raw(",\"total_tokens\":").number(tokens).raw("}}");
    }

    @Override
    ObjectNode errorBody(ObjectMapper json, ApiError error) {
      ObjectNode root = json.createObjectNode();
      ObjectNode body = root.putObject("error");
      body.put("message", error.getMessage());
      body.put("type", error.openAiType());
      error.param().ifPresentOrElse(p -> body.put("param", p), () -> body.putNull("param"));
      error.code().ifPresentOrElse(c -> body.put("code", c), () -> body.putNull("code"));
      return root;
    }
  },

  OLLAMA("/api/embed") {
    @Override
    EmbedRequest parse(JsonNode root, SimulatorConfig config) throws ApiError {
      String model = requireModel(root, "model is required");
      return new EmbedRequest(model, inputs(root, "input"), false, dimensions(root, config));
    }

    @Override
    void writeSuccess(JsonOut out, EmbedRequest request, List<float[]> vectors, long tokens) {
      out.raw("{\"model\":").string(request.model()).raw(",\"embeddings\":[");
      for (int i = 0; i < vectors.size(); i++) {
        if (i > 0) {
          out.raw(',');
        }
        out.vector(vectors.get(i));
      }
      out.raw("],\"total_duration\":0,\"load_duration\":0,\"prompt_eval_count\":");
      out.number(tokens).raw('}');
    }

    @Override
    ObjectNode errorBody(ObjectMapper json, ApiError error) {
      return json.createObjectNode().put("error", error.getMessage());
    }
  },

  TEI("/embed") {
    @Override
    EmbedRequest parse(JsonNode root, SimulatorConfig config) throws ApiError {
      return new EmbedRequest(config.model(), inputs(root, "inputs"), false, config.dimension());
    }

    @Override
    void writeSuccess(JsonOut out, EmbedRequest request, List<float[]> vectors, long tokens) {
      out.raw('[');
      for (int i = 0; i < vectors.size(); i++) {
        if (i > 0) {
          out.raw(',');
        }
        out.vector(vectors.get(i));
      }
      out.raw(']');
    }

    @Override
    ObjectNode errorBody(ObjectMapper json, ApiError error) {
      return json.createObjectNode()
          .put("error", error.getMessage())
          .put("error_type", error.kind.teiType);
    }

    @Override
    int status(ApiError.Kind kind) {
      return kind.teiStatus;
    }
  };

  /** A parsed embedding request; {@code dimensions} is the vector length to return. */
  record EmbedRequest(String model, List<String> inputs, boolean base64, int dimensions) {}

  private static final byte[] BAD_GATEWAY_HTML =
      ("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
              + "<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n")
          .getBytes(StandardCharsets.UTF_8);

  final String path;

  Dialect(String path) {
    this.path = path;
  }

  static Optional<Dialect> forPath(String path) {
    for (Dialect dialect : values()) {
      if (dialect.path.equals(path)) {
        return Optional.of(dialect);
      }
    }
    return Optional.empty();
  }

  abstract EmbedRequest parse(JsonNode root, SimulatorConfig config) throws ApiError;

  abstract void writeSuccess(JsonOut out, EmbedRequest request, List<float[]> vectors, long tokens);

  abstract ObjectNode errorBody(ObjectMapper json, ApiError error);

  int status(ApiError.Kind kind) {
    return kind.status;
  }

  byte[] success(EmbedRequest request, List<float[]> vectors, long tokens) {
    int perVector = request.base64() ? request.dimensions() * 6 : request.dimensions() * 14;
    JsonOut out = new JsonOut(128 + request.model().length() + vectors.size() * (perVector + 48));
    writeSuccess(out, request, vectors, tokens);
    return out.toByteArray();
  }

  byte[] error(ObjectMapper json, ApiError error) {
    try {
      return json.writeValueAsBytes(errorBody(json, error));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot happen: writing to memory", e);
    }
  }

  /** The body of a simulated 502, HTML as a reverse proxy sends it (the same for every dialect). */
  static byte[] badGatewayHtml() {
    return BAD_GATEWAY_HTML.clone();
  }

  private static String requireModel(JsonNode root, String missingMessage) throws ApiError {
    JsonNode model = root.get("model");
    if (model == null || model.isNull()) {
      throw new ApiError(
          ApiError.Kind.INVALID_REQUEST,
          missingMessage,
          "missing_required_parameter",
          null,
          "model");
    }
    if (!model.isTextual() || model.asText().isBlank()) {
      throw new ApiError(
          ApiError.Kind.INVALID_REQUEST,
          "model must be a non-blank string, was " + model,
          "invalid_type",
          null,
          "model");
    }
    return model.asText();
  }

  private static List<String> inputs(JsonNode root, String field) throws ApiError {
    JsonNode input = root.get(field);
    if (input == null || input.isNull()) {
      throw new ApiError(
          ApiError.Kind.INVALID_REQUEST,
          "'" + field + "' is required",
          "missing_required_parameter",
          null,
          field);
    }
    if (input.isTextual()) {
      return List.of(nonEmpty(input.asText(), field, 0));
    }
    if (!input.isArray()) {
      throw invalidInput(field, "'" + field + "' must be a string or an array of strings");
    }
    if (input.isEmpty()) {
      throw invalidInput(field, "'" + field + "' must not be an empty array");
    }
    List<String> texts = new ArrayList<>(input.size());
    for (int i = 0; i < input.size(); i++) {
      JsonNode element = input.get(i);
      if (!element.isTextual()) {
        throw invalidInput(
            field,
            "'"
                + field
                + "["
                + i
                + "]' must be a string (token arrays are not supported by the simulator), was "
                + element.getNodeType());
      }
      texts.add(nonEmpty(element.asText(), field, i));
    }
    return texts;
  }

  private static String nonEmpty(String text, String field, int index) throws ApiError {
    if (text.isEmpty()) {
      throw invalidInput(field, "'" + field + "[" + index + "]' must not be an empty string");
    }
    return text;
  }

  private static ApiError invalidInput(String field, String message) {
    return new ApiError(ApiError.Kind.INVALID_REQUEST, message, "invalid_value", null, field);
  }

  private static int dimensions(JsonNode root, SimulatorConfig config) throws ApiError {
    JsonNode dimensions = root.get("dimensions");
    if (dimensions == null || dimensions.isNull()) {
      return config.dimension();
    }
    if (!dimensions.isIntegralNumber()
        || !dimensions.canConvertToInt()
        || dimensions.asInt() < 1
        || dimensions.asInt() > config.dimension()) {
      throw new ApiError(
          ApiError.Kind.INVALID_REQUEST,
          "'dimensions' must be an integer in [1, " + config.dimension() + "], was " + dimensions,
          "invalid_value",
          null,
          "dimensions");
    }
    return dimensions.asInt();
  }
}
