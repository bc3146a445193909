package dev.ragtime.postgres.queue;

import dev.ragtime.ingest.QueuedDocument;
import java.util.List;
import java.util.Objects;

/**
 * A document a worker has claimed from the queue, under a lease.
 *
 * @param id the queue item's id
 * @param jobId the job it belongs to
 * @param collection where it goes
 * @param document what to ingest
 * @param contentSha256 SHA-256 of its content as enqueued
 * @param attempts claims so far, this one included
 * @param holders every worker that has claimed it, in order (this one last)
 */
public record ClaimedItem(
    long id,
    String jobId,
    String collection,
    QueuedDocument document,
    String contentSha256,
    int attempts,
    List<String> holders) {
  public ClaimedItem {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(collection, "collection");
    Objects.requireNonNull(document, "document");
    Objects.requireNonNull(contentSha256, "contentSha256");
    holders = List.copyOf(holders);
  }
}
