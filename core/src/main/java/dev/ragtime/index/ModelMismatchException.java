package dev.ragtime.index;

import dev.ragtime.embed.ModelInfo;
import java.util.Objects;

/**
 * An index built by one embedding model was opened with another. Vectors of different models must
 * never share an index, so this is never retried or worked around.
 *
 * <p>The message ends with how to re-index in the store that holds the collection (its {@link
 * SearchableIndex#reindexAdvice()}): removing a folder means nothing to a database.
 */
public final class ModelMismatchException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ModelInfo indexed;
  private final ModelInfo requested;

  /**
   * @param reindex how to rebuild the collection with another model in its store, an instruction
   *     such as "remove the collection's folder (…) and ingest again"
   */
  public ModelMismatchException(
      String collection, ModelInfo indexed, ModelInfo requested, String reindex) {
    super(
        "collection '"
            + collection
            + "' was built with "
            + indexed
            + " but the configured embedding model is "
            + requested
            + "; use the same model (local.model / RAGTIME_LOCAL_MODEL, embedding.model), another"
            + " --collection, or re-index with this model: "
            + Objects.requireNonNull(reindex, "reindex"));
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
