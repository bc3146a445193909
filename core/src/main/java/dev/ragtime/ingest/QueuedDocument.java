package dev.ragtime.ingest;

import dev.ragtime.document.ContentHash;
import dev.ragtime.document.DocumentException;
import dev.ragtime.document.DocumentParsers;
import dev.ragtime.document.DocumentType;
import dev.ragtime.document.ParsedDocument;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A document held as content rather than as a file: its id, the bytes with the type they declare,
 * and the caller's metadata, which every chunk inherits (the parser's own keys such as {@code type}
 * win). What the service receives in a post, and what the durable ingestion queue stores.
 *
 * <p>Its content hash covers the type, the bytes and the metadata, so an unchanged document is
 * recognised and embeds nothing, and changing only its metadata re-indexes it. Immutable; {@code
 * content} is not copied, callers must not change it afterwards.
 *
 * @param id the document id
 * @param type how to parse {@code content}
 * @param content the document's bytes
 * @param metadata caller metadata (copied)
 */
public record QueuedDocument(
    String id, DocumentType type, byte[] content, Map<String, String> metadata) {

  public QueuedDocument {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(content, "content");
    metadata = Map.copyOf(metadata);
    if (id.isEmpty()) {
      throw new IllegalArgumentException("document id must not be empty");
    }
  }

  /**
   * The file name the parser sees: the id's last path segment, with the type's extension added
   * unless it already has it (the parser chooses by extension and falls back to the name for the
   * title).
   */
  public String fileName() {
    String last = id.substring(id.lastIndexOf('/') + 1);
    return DocumentType.ofFileName(last).filter(type::equals).isPresent()
        ? last
        : last + type.extensions().get(0);
  }

  /** SHA-256 of the bytes alone (what a queue records to verify what it holds). */
  public String contentSha256() {
    return ContentHash.sha256(content);
  }

  /** The content hash of this document mixed with {@code fingerprint}. */
  public String contentHash(String fingerprint) {
    List<String> parts = new ArrayList<>();
    parts.add("posted-v1");
    parts.add(type.id());
    parts.add(contentSha256());
    new TreeMap<>(metadata)
        .forEach(
            (k, v) -> {
              parts.add(k);
              parts.add(v);
            });
    parts.add(fingerprint);
    return ContentHash.fingerprint(parts);
  }

  /**
   * Parses the content with the caller's metadata merged under the parser's.
   *
   * @throws SourceException if the content cannot be parsed
   */
  public ParsedDocument parse(DocumentParsers parsers) {
    ParsedDocument parsed;
    try {
      parsed = parsers.parse(fileName(), content);
    } catch (DocumentException e) {
      throw new SourceException(e.getMessage(), e);
    }
    var meta = new HashMap<>(metadata);
    meta.putAll(parsed.metadata());
    return new ParsedDocument(parsed.title(), parsed.blocks(), meta);
  }

  /** Where a posted document came from, in reports and the {@code source} metadata. */
  public String path() {
    return "api:" + id;
  }

  /** This document as a source to ingest; its {@link SourceDocument#path()} is {@link #path()}. */
  public SourceDocument source(DocumentParsers parsers) {
    Objects.requireNonNull(parsers, "parsers");
    QueuedDocument doc = this;
    return new SourceDocument() {
      @Override
      public String id() {
        return doc.id();
      }

      @Override
      public String path() {
        return doc.path();
      }

      @Override
      public String contentHash(String fingerprint) {
        return doc.contentHash(fingerprint);
      }

      @Override
      public ParsedDocument parse() {
        return doc.parse(parsers);
      }
    };
  }
}
