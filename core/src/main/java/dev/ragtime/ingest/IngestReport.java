package dev.ragtime.ingest;

import java.time.Duration;
import java.util.List;

/**
 * What one ingest run did.
 *
 * @param documents documents considered (supported files and corpus records)
 * @param chunks chunks written to the index in this run
 * @param embedded chunks whose text was sent to the embedding model in this run
 * @param unchanged documents skipped because their content hash was already indexed
 * @param failed documents that could not be ingested; each is listed in {@code failures} and keeps
 *     its previous version in the index
 * @param failures why each failed document failed
 * @param skipped files that are not documents Ragtime reads (unsupported type), with the reason
 * @param pruned documents deleted because they vanished from the source ({@code --prune})
 * @param elapsed wall time of the run
 */
public record IngestReport(
    long documents,
    long chunks,
    long embedded,
    long unchanged,
    long failed,
    List<Failure> failures,
    List<Failure> skipped,
    long pruned,
    Duration elapsed) {

  public IngestReport {
    failures = List.copyOf(failures);
    skipped = List.copyOf(skipped);
  }

  /** A document or file that was not ingested, and why. */
  public record Failure(String path, String reason) {}
}
