package dev.ragtime.server.openapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ragtime.server.http.Api;
import dev.ragtime.server.http.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * {@code GET /openapi.json}: the OpenAPI 3.1 description of every route, written by hand in {@code
 * openapi.yaml} beside this class and served as JSON.
 */
public final class OpenApiRoute {
  private final byte[] document;
  private final Api api;

  public OpenApiRoute(Api api) {
    this.api = Objects.requireNonNull(api, "api");
    this.document = Json.write(document());
  }

  /** The OpenAPI document as a JSON tree. */
  public static JsonNode document() {
    try (InputStream in = OpenApiRoute.class.getResourceAsStream("openapi.yaml")) {
      if (in == null) {
        throw new IllegalStateException("openapi.yaml is missing from the class path");
      }
      return new ObjectMapper(new YAMLFactory()).readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("reading openapi.yaml failed", e);
    }
  }

  public void register() {
    api.get("/openapi.json", ctx -> ctx.status(200).contentType(Api.JSON).result(document));
  }
}
