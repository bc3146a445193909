package dev.ragtime.index;

import dev.ragtime.embed.ModelInfo;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One collection's chunk index: BM25 text, vectors of exactly one embedding model, and metadata.
 *
 * <p>Contract every implementation honours (checked by the index contract test suite):
 *
 * <ul>
 *   <li>{@link #write} replaces all chunks of each document atomically: a concurrent {@link
 *       #snapshot} sees either the old or the new version of a document, never a mix;
 *   <li>when {@link #write} or {@link #delete} returns, the change is durable (survives a crash)
 *       and visible to new snapshots;
 *   <li>the index records the {@link ModelInfo} that built it and refuses to be opened with an
 *       incompatible one.
 * </ul>
 *
 * <p>Thread-safe. Must be closed.
 */
public interface Index extends SearchableIndex {

  /** The content hash recorded for {@code docId}, if the document is present. */
  Optional<String> contentHash(String docId);

  /**
   * The chunks of {@code docId} in document order (hits with score 0: text and metadata), from one
   * consistent view; empty if the document is not present. Adjacent chunks may repeat the sentences
   * they overlap on.
   */
  List<Hit> chunks(String docId);

  /** Ids of every document in the index. */
  Set<String> documentIds();

  /** Writes the documents (each atomically); durable and visible on return. */
  void write(List<DocumentWrite> documents);

  /**
   * Deletes documents by id; durable on return.
   *
   * @return the ids that were present and are now gone
   */
  Set<String> delete(Set<String> docIds);

  /** Counts of documents and chunks. */
  IndexStats stats();
}
