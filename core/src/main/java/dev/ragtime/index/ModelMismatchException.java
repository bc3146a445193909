package dev.ragtime.index;

import dev.ragtime.embed.ModelInfo;

/**
 * An index built by one embedding model was opened with another. Vectors of different models must
 * never share an index, so this is never retried or worked around.
 */
public final class ModelMismatchException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ModelInfo indexed;
  private final ModelInfo requested;

  public ModelMismatchException(String collection, ModelInfo indexed, ModelInfo requested) {
    super(
        "collection '"
            + collection
            + "' was built with "
            + indexed
            + " but the configured embedding model is "
            + requested
            + "; use the same model (local.model / RAGTIME_LOCAL_MODEL, embedding.model), another"
            + " --collection, or re-index with this model: remove the collection's folder"
            + " (<data>/collections/"
            + collection
            + ") and ingest again");
    this.indexed = indexed;
    this.requested = requested;
  }

  public ModelInfo indexed() {
    return indexed;
  }

  public ModelInfo requested() {
    return requested;
  }
}
