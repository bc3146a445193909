package dev.ragtime.server.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ragtime.document.DocumentParsers;
import dev.ragtime.index.Hit;
import dev.ragtime.ingest.SourceDocument;
import dev.ragtime.search.SearchRequest;
import dev.ragtime.server.auth.Grant;
import dev.ragtime.server.collections.CollectionRoutes;
import dev.ragtime.server.collections.OpenCollections;
import dev.ragtime.server.documents.DocumentRoutes;
import dev.ragtime.server.http.ApiException;
import dev.ragtime.server.http.Json;
import dev.ragtime.server.jobs.Job;
import dev.ragtime.server.jobs.Jobs;
import dev.ragtime.server.search.SearchResults;
import dev.ragtime.server.search.SearchRoutes;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MCP tools of Ragtime, the same for every transport: {@code search}, {@code ingest_text},
 * {@code list_collections} and {@code get_document}. Each works on the service's open collections
 * and ingestion queue exactly as the REST routes do, with the same validation; a refusal (unknown
 * collection, bad argument, saturated queue) is a tool result with {@code isError: true} whose text
 * says what was wrong, so the calling model can correct itself. Results carry the JSON both as
 * structured content and as text.
 *
 * <p>Access: each call runs with the {@link Grant} of its transport context (the API key of the
 * HTTP request that carried it): {@code search} and {@code get_document} need a key that reaches
 * the collection, {@code ingest_text} one with rights {@code rw} on it, and {@code
 * list_collections} shows only the collections the key reaches. A refusal is a tool error.
 */
public final class RagtimeTools {
  private static final Logger log = LoggerFactory.getLogger(RagtimeTools.class);

  private static final String COLLECTION =
      """
      "collection": {"type": "string", "pattern": "^[A-Za-z0-9_.-]{1,64}$",
        "description": "Name of the collection (see list_collections)."}""";

  private static final String SEARCH_SCHEMA =
      """
      {"type": "object", "additionalProperties": false, "required": ["collection", "query"],
       "properties": {
        %s,
        "query": {"type": "string", "minLength": 1,
          "description": "What to look for, in natural language or keywords."},
        "k": {"type": "integer", "minimum": 1, "maximum": %d, "default": %d,
          "description": "How many passages to return, best first."},
        "mode": {"type": "string", "enum": ["hybrid", "bm25", "vector"], "default": "hybrid",
          "description": "hybrid (default) fuses keyword and semantic ranking; bm25 is keywords only; vector is meaning only."},
        "filter": {"type": "object", "additionalProperties": {"type": "string"},
          "description": "Only passages whose metadata has exactly these key/value pairs."}
       }}"""
          .formatted(COLLECTION, SearchRequest.MAX_K, SearchRequest.DEFAULT_K);

  private static final String INGEST_SCHEMA =
      """
      {"type": "object", "additionalProperties": false, "required": ["collection", "id", "text"],
       "properties": {
        %s,
        "id": {"type": "string", "minLength": 1, "maxLength": %d,
          "description": "Stable document id; ingesting the same id again replaces the document (unchanged text is not re-embedded)."},
        "text": {"type": "string", "minLength": 1, "description": "The document's plain text."},
        "metadata": {"type": "object", "additionalProperties": {"type": "string"},
          "description": "Optional string metadata (keys of letters, digits, '_', '.', '-'), usable as a search filter."}
       }}"""
          .formatted(COLLECTION, DocumentRoutes.MAX_ID_LENGTH);

  private static final String GET_SCHEMA =
      """
      {"type": "object", "additionalProperties": false, "required": ["collection", "id"],
       "properties": {
        %s,
        "id": {"type": "string", "minLength": 1, "description": "The document id."}
       }}"""
          .formatted(COLLECTION);

  private static final String LIST_SCHEMA =
      """
      {"type": "object", "additionalProperties": false, "properties": {}}""";

  /** Metadata keys that differ from chunk to chunk, reported per chunk by get_document. */
  private static final Set<String> PER_CHUNK_METADATA = Set.of("heading", "position");

  private final OpenCollections collections;
  private final Jobs jobs;
  private final DocumentParsers parsers;
  private final McpJsonMapper mapper;
  private final Function<McpTransportContext, Grant> grants;

  /**
   * @param grants the rights of a call, from its transport context
   */
  public RagtimeTools(
      OpenCollections collections,
      Jobs jobs,
      DocumentParsers parsers,
      McpJsonMapper mapper,
      Function<McpTransportContext, Grant> grants) {
    this.collections = Objects.requireNonNull(collections, "collections");
    this.jobs = Objects.requireNonNull(jobs, "jobs");
    this.parsers = Objects.requireNonNull(parsers, "parsers");
    this.mapper = Objects.requireNonNull(mapper, "mapper");
    this.grants = Objects.requireNonNull(grants, "grants");
  }

  /** The JSON mapper the tools' schemas were read with (the server's too). */
  McpJsonMapper mapper() {
    return mapper;
  }

  /** The four tools, ready to give to an MCP server. */
  public List<SyncToolSpecification> specifications() {
    return List.of(
        tool(
            "search",
            "Search a collection of documents and return the best-matching passages, each with its"
                + " document id, score, text and metadata (source, title, heading). Use it to find"
                + " facts before answering; call list_collections first if you do not know the"
                + " collection's name.",
            SEARCH_SCHEMA,
            true,
            this::search),
        tool(
            "ingest_text",
            "Add or replace one plain-text document in a collection (created if missing), so that"
                + " later searches find it. Returns when the document is committed, with counts of"
                + " chunks embedded; re-ingesting unchanged text embeds nothing.",
            INGEST_SCHEMA,
            false,
            this::ingestText),
        tool(
            "list_collections",
            "List the collections that can be searched, with their document and chunk counts and"
                + " the embedding model each was built with.",
            LIST_SCHEMA,
            true,
            (grant, args) -> listCollections(grant)),
        tool(
            "get_document",
            "Read one document of a collection by id: its text as the chunks it was split into,"
                + " in order (each with its heading and position; adjacent chunks may repeat a"
                + " sentence or two where they overlap), its metadata (source, title and what it"
                + " was ingested with), and its content hash (which changes whenever its content"
                + " does). Use it after search to read the whole document a passage came from.",
            GET_SCHEMA,
            true,
            this::getDocument));
  }

  private SyncToolSpecification tool(
      String name,
      String description,
      String schema,
      boolean readOnly,
      BiFunction<Grant, ObjectNode, Map<String, Object>> body) {
    var tool =
        McpSchema.Tool.builder(name, mapper, schema)
            .description(description)
            .annotations(new McpSchema.ToolAnnotations(null, readOnly, false, true, false, null))
            .build();
    return SyncToolSpecification.builder()
        .tool(tool)
        .callHandler((exchange, request) -> call(name, exchange, request, body))
        .build();
  }

  private CallToolResult call(
      String name,
      McpSyncServerExchange exchange,
      McpSchema.CallToolRequest request,
      BiFunction<Grant, ObjectNode, Map<String, Object>> body) {
    ObjectNode args =
        request.arguments() == null
            ? Json.MAPPER.createObjectNode()
            : Json.MAPPER.valueToTree(request.arguments());
    try {
      Map<String, Object> result = body.apply(grants.apply(exchange.transportContext()), args);
      return CallToolResult.builder()
          .structuredContent(result)
          .addTextContent(Json.MAPPER.writeValueAsString(result))
          .build();
    } catch (ApiException e) {
      return error(e.getMessage());
    } catch (IllegalArgumentException e) {
      return error(e.getMessage());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise the result of " + name, e);
    } catch (RuntimeException e) {
      log.warn("MCP tool {} failed", name, e);
      return error(name + " failed: " + e.getMessage());
    }
  }

  private static CallToolResult error(String message) {
    return CallToolResult.builder().isError(true).addTextContent(message).build();
  }

  private static String collection(JsonNode args) {
    return OpenCollections.validName(Json.requiredString(args, "collection", "collection"));
  }

  private Map<String, Object> search(Grant grant, ObjectNode args) {
    String name = collection(args);
    grant.requireRead(name);
    SearchRequest request = SearchRoutes.request(args);
    return SearchResults.toJson(collections.require(name).searcher().search(request));
  }

  private Map<String, Object> ingestText(Grant grant, ObjectNode args) {
    String name = collection(args);
    grant.requireWrite(name);
    String id = Json.requiredString(args, "id", "id");
    String text = Json.requiredString(args, "text", "text");
    Map<String, String> metadata = Json.stringMap(args, "metadata", "metadata");
    SourceDocument doc = DocumentRoutes.textDocument(id, text, metadata, parsers);
    collections.create(name);
    Job job =
        jobs.submit(
            name, List.of(doc), text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
    try {
      job.done().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the ingestion job", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("job futures complete normally", e);
    }
    return job.toJson();
  }

  private Map<String, Object> listCollections(Grant grant) {
    return Map.of("collections", CollectionRoutes.describe(collections, grant));
  }

  private Map<String, Object> getDocument(Grant grant, ObjectNode args) {
    String name = collection(args);
    grant.requireRead(name);
    String id = Json.requiredString(args, "id", "id");
    var c = collections.require(name);
    var notFound =
        ApiException.notFound("document '" + id + "' is not in collection '" + name + "'");
    String hash = c.index().contentHash(id).orElseThrow(() -> notFound);
    List<Hit> chunks = c.index().chunks(id);
    if (chunks.isEmpty()) {
      throw notFound; // deleted between the two reads
    }
    // Metadata common to the document: what every chunk carries, less the per-chunk keys.
    var metadata = new TreeMap<String, String>(chunks.get(0).metadata());
    metadata.keySet().removeAll(PER_CHUNK_METADATA);
    List<Map<String, Object>> parts = new ArrayList<>(chunks.size());
    for (Hit h : chunks) {
      var part = new LinkedHashMap<String, Object>();
      part.put("position", parts.size());
      part.put("chunkId", h.chunkId());
      String heading = h.metadata().get("heading");
      if (heading != null) {
        part.put("heading", heading);
      }
      part.put("text", h.text());
      parts.add(part);
      metadata.entrySet().removeIf(e -> !e.getValue().equals(h.metadata().get(e.getKey())));
    }
    var m = new LinkedHashMap<String, Object>();
    m.put("id", id);
    m.put("collection", name);
    m.put("contentHash", hash);
    m.put("metadata", metadata);
    m.put("chunks", parts);
    return m;
  }
}
