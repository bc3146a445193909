package dev.ragtime.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.ragtime.server.openapi.OpenApiRoute;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks real responses against the served OpenAPI document: each exchange's status must be
 * documented for its route and method, its content type must be one the document lists, and its
 * body must validate against that schema (JSON Schema 2020-12, as OpenAPI 3.1 uses). Every
 * operation of the document must have been exercised at least once.
 */
final class OpenApiConformance {
  private static final SchemaRegistry SCHEMAS =
      SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

  private OpenApiConformance() {}

  static void check(List<TestServer.Exchange> exchanges) {
    JsonNode spec = OpenApiRoute.document();
    var problems = new ArrayList<String>();
    var exercised = new TreeSet<String>();
    for (TestServer.Exchange e : List.copyOf(exchanges)) {
      String method = e.method().toLowerCase(Locale.ROOT);
      JsonNode response;
      if (e.route().equals("unmatched")) {
        response = resolve(spec, spec.at("/components/responses/Problem"));
      } else {
        JsonNode operation = spec.path("paths").path(e.route()).path(method);
        if (operation.isMissingNode()) {
          if (e.status() != 405) {
            problems.add(e.method() + " " + e.route() + " is not in the OpenAPI document");
          }
          continue;
        }
        exercised.add(method + " " + e.route());
        response = operation.path("responses").path(Integer.toString(e.status()));
        if (response.isMissingNode()) {
          problems.add(e.method() + " " + e.route() + ": status " + e.status() + " undocumented");
          continue;
        }
        response = resolve(spec, response);
      }
      JsonNode content = response.path("content");
      if (content.isMissingNode() || content.isEmpty()) {
        if (!e.body().isEmpty()) {
          problems.add(e.method() + " " + e.route() + ": documented without a body, got one");
        }
        continue;
      }
      String type = e.contentType().split(";", 2)[0].trim();
      JsonNode media = content.path(type);
      if (media.isMissingNode()) {
        problems.add(
            e.method()
                + " "
                + e.route()
                + " "
                + e.status()
                + ": content type "
                + type
                + " undocumented");
        continue;
      }
      if (!type.endsWith("json")) {
        continue;
      }
      List<Error> errors = schema(spec, media.path("schema")).validate(e.json());
      if (!errors.isEmpty()) {
        problems.add(e.method() + " " + e.route() + " " + e.status() + ": " + errors);
      }
    }
    assertThat(problems).as("responses that break the OpenAPI document").isEmpty();
    Set<String> documented = new TreeSet<>();
    for (Iterator<String> paths = spec.path("paths").fieldNames(); paths.hasNext(); ) {
      String path = paths.next();
      for (Iterator<String> methods = spec.path("paths").path(path).fieldNames();
          methods.hasNext(); ) {
        String m = methods.next();
        if (!m.equals("parameters")) {
          documented.add(m + " " + path);
        }
      }
    }
    assertThat(exercised).as("operations exercised by the tests").containsAll(documented);
  }

  /** Follows a local {@code $ref} (responses, headers) to its target. */
  private static JsonNode resolve(JsonNode spec, JsonNode node) {
    JsonNode ref = node.get("$ref");
    return ref == null ? node : resolve(spec, spec.at(ref.asText().substring(1)));
  }

  /** The schema, with the document's components beside it so that its $refs resolve. */
  private static Schema schema(JsonNode spec, JsonNode schema) {
    ObjectNode root = TestServer.JSON.createObjectNode();
    root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
    root.set("components", spec.get("components"));
    root.setAll((ObjectNode) schema);
    return SCHEMAS.getSchema(root);
  }
}
