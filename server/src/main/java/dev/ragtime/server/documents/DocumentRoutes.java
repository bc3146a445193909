package dev.ragtime.server.documents;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ragtime.document.DocumentParsers;
import dev.ragtime.document.DocumentType;
import dev.ragtime.ingest.IngestQueue;
import dev.ragtime.ingest.QueuedDocument;
import dev.ragtime.ingest.QueuedJob;
import dev.ragtime.ingest.SourceDocument;
import dev.ragtime.server.collections.OpenCollections;
import dev.ragtime.server.http.Api;
import dev.ragtime.server.http.ApiException;
import dev.ragtime.server.http.Json;
import dev.ragtime.server.jobs.Job;
import dev.ragtime.server.jobs.Jobs;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * {@code POST /v1/collections/{name}/documents} (JSON or multipart upload; a job, or with {@code
 * ?wait=true} its result after commit) and {@code GET|DELETE
 * /v1/collections/{name}/documents/{id}}.
 *
 * <p>A JSON body is one document {@code {id, text | contentBase64 + mediaType, metadata}}, or
 * {@code {"documents": [...]}} with many. A multipart body carries files in any part (txt, md,
 * html, pdf, chosen by file name), each document's id being its file name, plus an optional part
 * {@code metadata} holding a JSON object of strings for all of them.
 */
public final class DocumentRoutes {
  /** Most documents accepted in one request. */
  public static final int MAX_DOCUMENTS_PER_REQUEST = 1000;

  /** Longest document id accepted. */
  public static final int MAX_ID_LENGTH = 512;

  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  private static final Pattern METADATA_KEY = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final int MAX_METADATA_VALUE = 4096;

  /** Keys every chunk gets from ingestion; a caller cannot set them. */
  static final Set<String> RESERVED_METADATA = Set.of("source", "title", "heading", "position");

  private static final Map<String, DocumentType> MEDIA_TYPES =
      Map.of(
          "text/plain", DocumentType.TXT,
          "text/markdown", DocumentType.MARKDOWN,
          "text/html", DocumentType.HTML,
          "application/pdf", DocumentType.PDF);

  private final OpenCollections collections;
  private final Jobs jobs;
  private final DocumentParsers parsers;
  private final Api api;
  private final Optional<IngestQueue> queue;

  /**
   * @param queue the durable ingestion queue posted documents go to, or empty to ingest them in
   *     this process ({@code jobs})
   */
  public DocumentRoutes(
      OpenCollections collections,
      Jobs jobs,
      DocumentParsers parsers,
      Api api,
      Optional<IngestQueue> queue) {
    this.queue = Objects.requireNonNull(queue, "queue");
    this.collections = Objects.requireNonNull(collections, "collections");
    this.jobs = Objects.requireNonNull(jobs, "jobs");
    this.parsers = Objects.requireNonNull(parsers, "parsers");
    this.api = Objects.requireNonNull(api, "api");
  }

  public void register() {
    api.post("/v1/collections/{name}/documents", this::post);
    api.get("/v1/collections/{name}/documents/<id>", this::get);
    api.delete("/v1/collections/{name}/documents/<id>", this::delete);
  }

  private void post(Context ctx) throws InterruptedException {
    String name = OpenCollections.validName(ctx.pathParam("name"));
    boolean wait = parseWait(ctx.queryParam("wait"));
    collections.require(name);
    List<QueuedDocument> docs = ctx.isMultipartFormData() ? multipart(ctx) : json(ctx);
    if (queue.isPresent()) {
      enqueue(ctx, name, docs, wait);
      return;
    }
    long bytes = docs.stream().mapToLong(d -> d.content().length).sum();
    Job job = jobs.submit(name, docs.stream().map(d -> d.source(parsers)).toList(), bytes);
    if (!wait) {
      ctx.header("Location", "/v1/jobs/" + job.id());
      Api.json(ctx, 202, job.toJson());
      return;
    }
    try {
      job.done().get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("job futures complete normally", e);
    }
    Api.json(ctx, 200, job.toJson());
  }

  /**
   * With a durable queue (the PostgreSQL store), the documents are stored in it as one job that
   * {@code ragtime worker} processes take; {@code ?wait=true} polls the job until it is finished.
   */
  private void enqueue(Context ctx, String name, List<QueuedDocument> docs, boolean wait)
      throws InterruptedException {
    IngestQueue q = queue.orElseThrow();
    QueuedJob job = q.enqueue(name, "api", docs);
    if (!wait) {
      ctx.header("Location", "/v1/jobs/" + job.id());
      Api.json(ctx, 202, job.toJson());
      return;
    }
    while (!job.finished()) {
      TimeUnit.MILLISECONDS.sleep(QUEUE_POLL_MILLIS);
      String id = job.id();
      job = q.job(id).orElseThrow(() -> new IllegalStateException("job " + id + " vanished"));
    }
    Api.json(ctx, 200, job.toJson());
  }

  /** How often {@code ?wait=true} looks at a queued job. */
  private static final long QUEUE_POLL_MILLIS = 200;

  private static boolean parseWait(String value) {
    if (value == null || value.equals("false")) {
      return false;
    }
    if (value.isEmpty() || value.equals("true")) {
      return true;
    }
    throw ApiException.invalidField("wait", "'wait' must be true or false, was '" + value + "'");
  }

  private List<QueuedDocument> json(Context ctx) {
    JsonNode body = Json.object(api.jsonBody(ctx), "the request body");
    if (body.has("documents")) {
      JsonNode list = body.get("documents");
      if (!list.isArray() || list.isEmpty()) {
        throw ApiException.invalidField(
            "documents", "'documents' must be a non-empty array of documents");
      }
      if (list.size() > MAX_DOCUMENTS_PER_REQUEST) {
        throw ApiException.invalidField(
            "documents",
            "'documents' holds "
                + list.size()
                + " documents; send at most "
                + MAX_DOCUMENTS_PER_REQUEST
                + " per request");
      }
      var out = new ArrayList<QueuedDocument>();
      var ids = new HashSet<String>();
      for (int i = 0; i < list.size(); i++) {
        String path = "documents[" + i + "]";
        QueuedDocument d = document(Json.object(list.get(i), "'" + path + "'"), path + ".");
        if (!ids.add(d.id())) {
          throw ApiException.invalidField(
              path + ".id", "document id '" + d.id() + "' appears twice in this request");
        }
        out.add(d);
      }
      return out;
    }
    return List.of(document(body, ""));
  }

  private QueuedDocument document(JsonNode node, String prefix) {
    String id = validId(Json.requiredString(node, "id", prefix + "id"), prefix + "id");
    Map<String, String> metadata =
        validMetadata(Json.stringMap(node, "metadata", prefix + "metadata"), prefix + "metadata");
    var text = Json.optionalString(node, "text", prefix + "text");
    var base64 = Json.optionalString(node, "contentBase64", prefix + "contentBase64");
    if (text.isPresent() == base64.isPresent()) {
      throw ApiException.invalidField(
          prefix + "text",
          "give exactly one of '" + prefix + "text' and '" + prefix + "contentBase64'");
    }
    if (text.isPresent()) {
      DocumentType type =
          Json.optionalString(node, "mediaType", prefix + "mediaType")
              .map(this::mediaType)
              .orElse(DocumentType.TXT);
      if (type == DocumentType.PDF) {
        throw ApiException.invalidField(
            prefix + "mediaType", "a PDF must be sent as contentBase64, not as text");
      }
      return new QueuedDocument(id, type, text.get().getBytes(StandardCharsets.UTF_8), metadata);
    }
    String mediaType =
        Json.optionalString(node, "mediaType", prefix + "mediaType")
            .orElseThrow(
                () ->
                    ApiException.invalidField(
                        prefix + "mediaType",
                        "'"
                            + prefix
                            + "mediaType' is required with contentBase64: one of "
                            + MEDIA_TYPES.keySet()));
    DocumentType type = mediaType(mediaType);
    byte[] content;
    try {
      // Line breaks are tolerated (MIME-style wrapping); any other stray character is an error,
      // where the MIME decoder would silently skip it.
      content = Base64.getDecoder().decode(WHITESPACE.matcher(base64.get()).replaceAll(""));
    } catch (IllegalArgumentException e) {
      throw ApiException.invalidField(
          prefix + "contentBase64",
          "'" + prefix + "contentBase64' is not valid base64: " + e.getMessage());
    }
    return new QueuedDocument(id, type, content, metadata);
  }

  private DocumentType mediaType(String mediaType) {
    String base = mediaType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    DocumentType type = MEDIA_TYPES.get(base);
    if (type == null) {
      throw ApiException.unsupportedMediaType(
          "media type '"
              + mediaType
              + "' is not one Ragtime reads; use one of "
              + new java.util.TreeSet<>(MEDIA_TYPES.keySet()));
    }
    return type;
  }

  private List<QueuedDocument> multipart(Context ctx) {
    api.checkDeclaredSize(ctx);
    List<UploadedFile> files;
    String meta;
    try {
      files = ctx.uploadedFiles();
      meta = ctx.formParam("metadata");
    } catch (Exception e) { // Kotlin code rethrows the parser's IOException undeclared
      // The container's multipart parser refuses a broken or oversized body with an exception;
      // either way the body is at fault, not the service. The parser may have left part of the
      // body unread, so the connection is not reused: the client is told, and opens a new one.
      ctx.header("Connection", "close");
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      String why = String.valueOf(root.getMessage());
      if (why.toLowerCase(Locale.ROOT).contains("exceed")) {
        throw ApiException.tooLarge("a part of the multipart body is too large: " + why);
      }
      throw ApiException.badRequest("malformed multipart body: " + why);
    }
    if (files.isEmpty()) {
      throw ApiException.invalidField("file", "the multipart body holds no file part");
    }
    if (files.size() > MAX_DOCUMENTS_PER_REQUEST) {
      throw ApiException.invalidField(
          "file", "send at most " + MAX_DOCUMENTS_PER_REQUEST + " files per request");
    }
    Map<String, String> metadata = Map.of();
    if (meta != null && !meta.isBlank()) {
      JsonNode wrapper =
          Json.MAPPER
              .createObjectNode()
              .set("metadata", Json.parse(meta.getBytes(StandardCharsets.UTF_8)));
      metadata = validMetadata(Json.stringMap(wrapper, "metadata", "metadata"), "metadata");
    }
    var out = new ArrayList<QueuedDocument>();
    var ids = new HashSet<String>();
    for (UploadedFile f : files) {
      String fileName = f.filename();
      String id = validId(fileName == null ? "" : fileName, "file");
      DocumentType type =
          DocumentType.ofFileName(id)
              .orElseThrow(
                  () ->
                      ApiException.unsupportedMediaType(
                          "file '"
                              + id
                              + "' is not a type Ragtime reads; upload .txt, .md, .html or .pdf"));
      if (!ids.add(id)) {
        throw ApiException.invalidField("file", "file name '" + id + "' appears twice");
      }
      byte[] content;
      try (InputStream in = f.content()) {
        content = in.readAllBytes();
      } catch (IOException e) {
        throw ApiException.badRequest("file '" + id + "' could not be read: " + e.getMessage());
      }
      out.add(new QueuedDocument(id, type, content, metadata));
    }
    return out;
  }

  /**
   * A plain-text document as a posted one, with the same checks as the JSON body: its id and
   * metadata are validated (400 naming {@code id} or {@code metadata.<key>}). For callers other
   * than this route that ingest text (the MCP tool {@code ingest_text}).
   */
  public static SourceDocument textDocument(
      String id, String text, Map<String, String> metadata, DocumentParsers parsers) {
    return new QueuedDocument(
            validId(id, "id"),
            DocumentType.TXT,
            text.getBytes(StandardCharsets.UTF_8),
            validMetadata(metadata, "metadata"))
        .source(parsers);
  }

  private void get(Context ctx) {
    String name = OpenCollections.validName(ctx.pathParam("name"));
    String id = validId(ctx.pathParam("id"), "id");
    var c = collections.require(name);
    String hash = c.index().contentHash(id).orElseThrow(() -> notFound(name, id));
    var m = new LinkedHashMap<String, Object>();
    m.put("id", id);
    m.put("collection", name);
    m.put("contentHash", hash);
    Api.json(ctx, 200, m);
  }

  private void delete(Context ctx) {
    String name = OpenCollections.validName(ctx.pathParam("name"));
    String id = validId(ctx.pathParam("id"), "id");
    var c = collections.require(name);
    if (c.index().delete(Set.of(id)).isEmpty()) {
      throw notFound(name, id);
    }
    Api.json(ctx, 200, Map.of("deleted", id, "collection", name));
  }

  private static ApiException notFound(String collection, String id) {
    return ApiException.notFound("document '" + id + "' is not in collection '" + collection + "'");
  }

  /**
   * Checks a document id: 1 to {@value #MAX_ID_LENGTH} characters, no control characters or
   * backslashes, not absolute, and no {@code .} or {@code ..} segment. Ids never name files, but a
   * path-like id must not look like a way out of one either.
   */
  static String validId(String id, String field) {
    String problem = idProblem(id);
    if (problem != null) {
      throw ApiException.invalidField(
          field, "invalid document id '" + printable(id) + "': " + problem);
    }
    return id;
  }

  private static String idProblem(String id) {
    if (id.isEmpty() || id.length() > MAX_ID_LENGTH) {
      return "use 1 to " + MAX_ID_LENGTH + " characters";
    }
    for (int i = 0; i < id.length(); i++) {
      char ch = id.charAt(i);
      if (Character.isISOControl(ch) || ch == '\\') {
        return "control characters and backslashes are not allowed";
      }
    }
    if (id.startsWith("/")) {
      return "must not start with '/'";
    }
    for (String segment : id.split("/", -1)) {
      if (segment.equals(".") || segment.equals("..") || segment.isEmpty()) {
        return "no empty, '.' or '..' path segments";
      }
    }
    return null;
  }

  private static String printable(String s) {
    String cut = s.length() > 80 ? s.substring(0, 80) + "…" : s;
    return cut.replaceAll("\\p{Cntrl}", "?");
  }

  private static Map<String, String> validMetadata(Map<String, String> metadata, String field) {
    for (var e : metadata.entrySet()) {
      String path = field + "." + e.getKey();
      if (!METADATA_KEY.matcher(e.getKey()).matches()) {
        throw ApiException.invalidField(
            path, "metadata keys are 1 to 64 letters, digits, '_', '.' or '-'");
      }
      if (RESERVED_METADATA.contains(e.getKey())) {
        throw ApiException.invalidField(
            path, "'" + e.getKey() + "' is set by ingestion; use another key");
      }
      if (e.getValue().length() > MAX_METADATA_VALUE) {
        throw ApiException.invalidField(
            path, "metadata values hold at most " + MAX_METADATA_VALUE + " characters");
      }
    }
    return metadata;
  }
}
