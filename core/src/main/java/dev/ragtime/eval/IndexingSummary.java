package dev.ragtime.eval;

import java.time.Duration;
import java.util.Objects;

/**
 * What preparing an evaluation collection did.
 *
 * @param collection the scratch collection's name
 * @param documents corpus documents read
 * @param written documents (re)indexed in this run
 * @param unchanged documents already indexed with the same content and model, left as they were
 * @param skipped documents without any text, or that failed to ingest (they can never be found)
 * @param removed documents deleted because they are no longer in the corpus
 * @param embedded texts sent to the embedding model
 * @param chunks index entries (chunks) in the collection afterwards
 * @param elapsed wall-clock time of the preparation
 */
public record IndexingSummary(
    String collection,
    long documents,
    long written,
    long unchanged,
    long skipped,
    long removed,
    long embedded,
    long chunks,
    Duration elapsed) {
  public IndexingSummary {
    Objects.requireNonNull(collection, "collection");
    Objects.requireNonNull(elapsed, "elapsed");
  }
}
