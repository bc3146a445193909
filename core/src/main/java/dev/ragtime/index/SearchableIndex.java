package dev.ragtime.index;

import dev.ragtime.embed.ModelInfo;

/**
 * The read side of one collection: what a search needs and nothing more. Every {@link Index} is
 * one; {@link LuceneCollections#openReadOnly(String, ModelInfo)} gives one that never writes and so
 * can be open while another process writes the collection.
 *
 * <p>Thread-safe. Must be closed, after every snapshot taken from it has been closed.
 */
public interface SearchableIndex extends AutoCloseable {

  /** The name of the collection. */
  String name();

  /** The model whose vectors this index holds (query vectors must come from a compatible one). */
  ModelInfo model();

  /**
   * How to rebuild this collection with another embedding model, in the terms of the store that
   * holds it (an instruction, such as "remove the collection's folder (…) and ingest again"); it
   * ends the message of a {@link ModelMismatchException} about this collection.
   */
  String reindexAdvice();

  /**
   * A consistent read view; close it when done.
   *
   * @throws IllegalStateException if this index is closed
   */
  IndexSnapshot snapshot();

  /** Releases the index's resources. Idempotent. */
  @Override
  void close();
}
