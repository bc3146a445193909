package dev.ragtime.server.documents;

import dev.ragtime.document.ContentHash;
import dev.ragtime.document.DocumentException;
import dev.ragtime.document.DocumentParsers;
import dev.ragtime.document.DocumentType;
import dev.ragtime.document.ParsedDocument;
import dev.ragtime.ingest.SourceDocument;
import dev.ragtime.ingest.SourceException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A document posted to the API: its id, its content in memory with the type it declares, and the
 * caller's metadata, which every chunk inherits (the parser's own keys such as {@code type} win).
 *
 * <p>Its content hash covers the type, the bytes and the metadata, so re-posting an unchanged
 * document is recognised and embeds nothing, as with the CLI; changing only its metadata re-indexes
 * it. Immutable.
 */
record PostedDocument(
    String id,
    String fileName,
    DocumentType type,
    byte[] content,
    Map<String, String> metadata,
    DocumentParsers parsers)
    implements SourceDocument {

  PostedDocument {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(fileName, "fileName");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(content, "content");
    metadata = Map.copyOf(metadata);
    Objects.requireNonNull(parsers, "parsers");
  }

  /**
   * A document of {@code type} named after its id: the id's last path segment, with the type's
   * extension added unless it already has it (the parser chooses by extension and falls back to the
   * name for the title).
   */
  static PostedDocument of(
      String id,
      DocumentType type,
      byte[] content,
      Map<String, String> metadata,
      DocumentParsers parsers) {
    String last = id.substring(id.lastIndexOf('/') + 1);
    String name =
        DocumentType.ofFileName(last).filter(type::equals).isPresent()
            ? last
            : last + type.extensions().get(0);
    return new PostedDocument(id, name, type, content, metadata, parsers);
  }

  @Override
  public String path() {
    return "api:" + id;
  }

  @Override
  public String contentHash(String fingerprint) {
    List<String> parts = new ArrayList<>();
    parts.add("posted-v1");
    parts.add(type.id());
    parts.add(ContentHash.sha256(content));
    new TreeMap<>(metadata)
        .forEach(
            (k, v) -> {
              parts.add(k);
              parts.add(v);
            });
    parts.add(fingerprint);
    return ContentHash.fingerprint(parts);
  }

  @Override
  public ParsedDocument parse() {
    ParsedDocument parsed;
    try {
      parsed = parsers.parse(fileName, content);
    } catch (DocumentException e) {
      throw new SourceException(e.getMessage(), e);
    }
    var meta = new HashMap<>(metadata);
    meta.putAll(parsed.metadata());
    return new ParsedDocument(parsed.title(), parsed.blocks(), meta);
  }
}
