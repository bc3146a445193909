package dev.ragtime.provider;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Request bodies and response parsing for the three wire dialects. Pure: bytes in, values out.
 * Responses are read with a streaming parser so that a 2048 × 1536 response does not become a tree
 * of three million nodes.
 */
final class ProviderCodec {
  private static final JsonFactory JSON = new JsonFactory();
  private static final ObjectMapper MAPPER = new ObjectMapper(JSON);
  private static final int MAX_MESSAGE_CHARS = 500;

  private ProviderCodec() {}

  /** Vectors in input order, plus the token count the provider reported, if it did. */
  record Decoded(List<float[]> vectors, OptionalInt promptTokens) {}

  static byte[] encode(Endpoint endpoint, List<String> texts) {
    var out = new ByteArrayOutputStream(64 + texts.size() * 256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      switch (endpoint.protocol()) {
        case OPENAI -> {
          g.writeStringField("model", endpoint.model());
          writeArray(g, "input", texts);
          g.writeStringField("encoding_format", "float");
          if (endpoint.dimensions().isPresent()) {
            g.writeNumberField("dimensions", endpoint.dimensions().getAsInt());
          }
        }
        case OLLAMA -> {
          g.writeStringField("model", endpoint.model());
          writeArray(g, "input", texts);
          g.writeBooleanField("truncate", true);
          if (endpoint.dimensions().isPresent()) {
            g.writeNumberField("dimensions", endpoint.dimensions().getAsInt());
          }
        }
        case TEI -> {
          writeArray(g, "inputs", texts);
          g.writeBooleanField("truncate", true);
          g.writeBooleanField("normalize", true);
        }
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode request", e); // in-memory: cannot happen
    }
    return out.toByteArray();
  }

  private static void writeArray(JsonGenerator g, String field, List<String> texts)
      throws IOException {
    g.writeArrayFieldStart(field);
    for (String t : texts) {
      g.writeString(t);
    }
    g.writeEndArray();
  }

  /**
   * Parses a 2xx body.
   *
   * @throws IOException if the body is not the dialect's JSON shape
   */
  static Decoded decode(WireProtocol protocol, byte[] body) throws IOException {
    try (JsonParser p = JSON.createParser(body)) {
      return switch (protocol) {
        case OPENAI -> decodeOpenAi(p);
        case OLLAMA -> decodeOllama(p);
        case TEI -> decodeTei(p);
      };
    }
  }

  private static Decoded decodeOpenAi(JsonParser p) throws IOException {
    expect(p, p.nextToken(), JsonToken.START_OBJECT);
    List<float[]> byIndex = new ArrayList<>();
    int tokens = -1;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken t = p.nextToken();
      if ("data".equals(field) && t == JsonToken.START_ARRAY) {
        int position = 0;
        while (p.nextToken() == JsonToken.START_OBJECT) {
          int index = position;
          float[] vector = null;
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            if ("index".equals(f) && v == JsonToken.VALUE_NUMBER_INT) {
              index = p.getIntValue();
            } else if ("embedding".equals(f) && v == JsonToken.START_ARRAY) {
              vector = readFloats(p);
            } else {
              p.skipChildren();
            }
          }
          if (vector == null) {
            throw new IOException("data[" + position + "] has no embedding array");
          }
          if (index < 0 || index > 1_000_000) {
            throw new IOException("data[" + position + "] has index " + index);
          }
          while (byIndex.size() <= index) {
            byIndex.add(null);
          }
          if (byIndex.get(index) != null) {
            throw new IOException("index " + index + " appears twice in data");
          }
          byIndex.set(index, vector);
          position++;
        }
      } else if ("usage".equals(field) && t == JsonToken.START_OBJECT) {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String f = p.currentName();
          JsonToken v = p.nextToken();
          if ("prompt_tokens".equals(f) && v == JsonToken.VALUE_NUMBER_INT) {
            tokens = p.getIntValue();
          } else {
            p.skipChildren();
          }
        }
      } else {
        p.skipChildren();
      }
    }
    for (int i = 0; i < byIndex.size(); i++) {
      if (byIndex.get(i) == null) {
        throw new IOException("no embedding for index " + i);
      }
    }
    return new Decoded(byIndex, tokens >= 0 ? OptionalInt.of(tokens) : OptionalInt.empty());
  }

  private static Decoded decodeOllama(JsonParser p) throws IOException {
    expect(p, p.nextToken(), JsonToken.START_OBJECT);
    List<float[]> vectors = null;
    int tokens = -1;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken t = p.nextToken();
      if ("embeddings".equals(field) && t == JsonToken.START_ARRAY) {
        vectors = readVectors(p);
      } else if ("prompt_eval_count".equals(field) && t == JsonToken.VALUE_NUMBER_INT) {
        tokens = p.getIntValue();
      } else {
        p.skipChildren();
      }
    }
    if (vectors == null) {
      throw new IOException("response has no 'embeddings' array");
    }
    return new Decoded(vectors, tokens >= 0 ? OptionalInt.of(tokens) : OptionalInt.empty());
  }

  private static Decoded decodeTei(JsonParser p) throws IOException {
    expect(p, p.nextToken(), JsonToken.START_ARRAY);
    return new Decoded(readVectors(p), OptionalInt.empty());
  }

  /** Reads {@code [[..],[..]]} with the parser positioned on the outer START_ARRAY. */
  private static List<float[]> readVectors(JsonParser p) throws IOException {
    List<float[]> vectors = new ArrayList<>();
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.START_ARRAY) {
      vectors.add(readFloats(p));
    }
    expect(p, t, JsonToken.END_ARRAY);
    return vectors;
  }

  /** Reads a number array with the parser positioned on its START_ARRAY. */
  private static float[] readFloats(JsonParser p) throws IOException {
    float[] buf = new float[512];
    int n = 0;
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.VALUE_NUMBER_FLOAT || t == JsonToken.VALUE_NUMBER_INT) {
      if (n == buf.length) {
        buf = java.util.Arrays.copyOf(buf, n * 2);
      }
      float f = p.getFloatValue();
      if (!Float.isFinite(f)) {
        throw new IOException("non-finite number in embedding");
      }
      buf[n++] = f;
    }
    expect(p, t, JsonToken.END_ARRAY);
    return java.util.Arrays.copyOf(buf, n);
  }

  private static void expect(JsonParser p, JsonToken actual, JsonToken expected)
      throws IOException {
    if (actual != expected) {
      throw new IOException(
          "expected " + expected + " but found " + actual + " at " + p.currentLocation());
    }
  }

  /**
   * The provider's machine-readable error reason, lower-cased: OpenAI's {@code error.code} (e.g.
   * {@code context_length_exceeded}, {@code insufficient_quota}), else its {@code error.type}, else
   * TEI's {@code error_type}; empty when the body carries none (Ollama sends only a message).
   */
  static Optional<String> errorCode(byte[] body) {
    try {
      JsonNode root = MAPPER.readTree(body);
      if (root == null || !root.isObject()) {
        return Optional.empty();
      }
      JsonNode error = root.get("error");
      if (error != null && error.isObject()) {
        for (String field : List.of("code", "type")) {
          JsonNode v = error.get(field);
          if (v != null && v.isValueNode() && !v.isNull() && !v.asText().isBlank()) {
            return Optional.of(v.asText().strip().toLowerCase(Locale.ROOT));
          }
        }
      }
      JsonNode teiType = root.get("error_type");
      if (teiType != null && teiType.isTextual() && !teiType.asText().isBlank()) {
        return Optional.of(teiType.asText().strip().toLowerCase(Locale.ROOT));
      }
    } catch (IOException | RuntimeException notJson) {
      // no code
    }
    return Optional.empty();
  }

  /**
   * The human-readable message in an error body, whichever dialect wrote it ({@code
   * {"error":{"message":..}}}, {@code {"error":".."}}, {@code {"message":..}}, {@code
   * {"detail":..}}), or the raw body, shortened.
   */
  static String errorMessage(byte[] body) {
    String raw = new String(body, StandardCharsets.UTF_8).strip();
    String message = raw;
    try {
      JsonNode root = MAPPER.readTree(body);
      if (root != null && root.isObject()) {
        JsonNode error = root.get("error");
        if (error != null && error.isObject() && error.hasNonNull("message")) {
          message = error.get("message").asText();
        } else if (error != null && error.isTextual()) {
          message = error.asText();
        } else if (root.hasNonNull("message")) {
          message = root.get("message").asText();
        } else if (root.hasNonNull("detail")) {
          JsonNode d = root.get("detail");
          message = d.isTextual() ? d.asText() : d.toString();
        }
      }
    } catch (IOException | RuntimeException notJson) {
      // keep the raw text
    }
    message = message.replaceAll("\\s+", " ").strip();
    if (message.isEmpty()) {
      return "(empty body)";
    }
    return message.length() > MAX_MESSAGE_CHARS
        ? message.substring(0, MAX_MESSAGE_CHARS) + "…"
        : message;
  }
}
