package dev.ragtime.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * JSON in and out of the API: parsing a request body into a tree and reading its fields with errors
 * that name the field, and writing responses. Stateless and thread-safe.
 */
public final class Json {
  /** The one mapper of the service (Jackson's are thread-safe once configured). */
  public static final ObjectMapper MAPPER =
      new ObjectMapper()
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private Json() {}

  /** Serialises a response value. */
  public static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
    }
  }

  /**
   * Parses a request body.
   *
   * @throws ApiException 400 when the body is not one well-formed JSON value
   */
  public static JsonNode parse(byte[] body) {
    if (body.length == 0) {
      throw ApiException.badRequest("the request body is empty; send a JSON object");
    }
    try {
      return MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest("malformed JSON: " + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw ApiException.badRequest("unreadable JSON body: " + e.getMessage());
    }
  }

  /**
   * The body as a JSON object.
   *
   * @throws ApiException 400 if it is another kind of value
   */
  public static ObjectNode object(JsonNode node, String what) {
    if (node instanceof ObjectNode o) {
      return o;
    }
    throw ApiException.badRequest(what + " must be a JSON object, was " + kind(node));
  }

  /** A required string field, not blank. */
  public static String requiredString(JsonNode obj, String field, String path) {
    return optionalString(obj, field, path)
        .filter(s -> !s.isBlank())
        .orElseThrow(
            () ->
                ApiException.invalidField(path, "'" + path + "' is required: a non-empty string"));
  }

  /** An optional string field; present but not a string is a 400. */
  public static Optional<String> optionalString(JsonNode obj, String field, String path) {
    JsonNode v = obj.get(field);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isTextual()) {
      throw ApiException.invalidField(
          path, "'" + path + "' must be a string, was " + kind(v) + " " + abbreviate(v));
    }
    return Optional.of(v.textValue());
  }

  /** An optional integer field; present but not an integer is a 400. */
  public static Optional<Integer> optionalInt(JsonNode obj, String field, String path) {
    JsonNode v = obj.get(field);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw ApiException.invalidField(
          path, "'" + path + "' must be an integer, was " + kind(v) + " " + abbreviate(v));
    }
    return Optional.of(v.intValue());
  }

  /**
   * An optional object of string values (metadata, filters).
   *
   * @throws ApiException 400 naming the field or the entry that is not a string
   */
  public static Map<String, String> stringMap(JsonNode obj, String field, String path) {
    JsonNode v = obj.get(field);
    var out = new LinkedHashMap<String, String>();
    if (v == null || v.isNull()) {
      return out;
    }
    if (!v.isObject()) {
      throw ApiException.invalidField(
          path, "'" + path + "' must be an object of strings, was " + kind(v));
    }
    for (Map.Entry<String, JsonNode> e : v.properties()) {
      JsonNode value = e.getValue();
      if (!value.isTextual()) {
        String p = path + "." + e.getKey();
        throw ApiException.invalidField(
            p, "'" + p + "' must be a string, was " + kind(value) + " " + abbreviate(value));
      }
      out.put(e.getKey(), value.textValue());
    }
    return out;
  }

  static String kind(JsonNode v) {
    return switch (v.getNodeType()) {
      case ARRAY -> "an array";
      case OBJECT, POJO -> "an object";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL, MISSING -> "null";
      case BINARY -> "binary";
    };
  }

  private static String abbreviate(JsonNode v) {
    String s = v.toString();
    return s.length() <= 40 ? s : s.substring(0, 39) + "…";
  }
}
