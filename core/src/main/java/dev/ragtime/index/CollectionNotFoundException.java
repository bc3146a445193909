package dev.ragtime.index;

/** A collection was asked for by name but does not exist. Not retryable. */
public final class CollectionNotFoundException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String collection;

  public CollectionNotFoundException(String collection) {
    super("collection '" + collection + "' does not exist; ingest documents into it first");
    this.collection = collection;
  }

  /** The name that was asked for. */
  public String collection() {
    return collection;
  }
}
