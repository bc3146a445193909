package dev.ragtime.ingest;

import dev.ragtime.document.ParsedDocument;

/**
 * One document to ingest: a file under an ingested root, or a record of a JSONL corpus.
 * Implementations are immutable; reading happens in {@link #contentHash} and {@link #parse}.
 */
public interface SourceDocument {

  /** The document id: the path relative to the ingested root, or the corpus record's id. */
  String id();

  /** Where the document came from, for reports and the {@code source} metadata. */
  String path();

  /**
   * Hash of the document's content mixed with {@code fingerprint}; equal hashes mean an unchanged
   * document.
   *
   * @throws SourceException if the content cannot be read
   */
  String contentHash(String fingerprint);

  /**
   * Reads and parses the document.
   *
   * @throws SourceException saying what is wrong with it and what to do
   */
  ParsedDocument parse();
}
