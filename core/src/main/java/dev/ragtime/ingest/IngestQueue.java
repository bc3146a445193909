package dev.ragtime.ingest;

import java.util.List;
import java.util.Optional;

/**
 * A durable ingestion queue shared by every node and worker (the PostgreSQL store provides one):
 * the service enqueues posted documents as a job and returns at once; {@code ragtime worker}
 * processes take them from the queue, ingest them and mark them done. Documents survive a restart
 * of any node, and a worker that dies mid-batch loses nothing: its lease expires and another worker
 * finishes the work.
 *
 * <p>Thread-safe.
 */
public interface IngestQueue {

  /**
   * Enqueues documents for one collection as one job, durably: when this returns, the documents are
   * in the queue.
   *
   * @param source who enqueued it, shown with the job (e.g. {@code api})
   * @param documents at least one; ids unique within the list
   * @return the new job, every document queued
   */
  QueuedJob enqueue(String collection, String source, List<QueuedDocument> documents);

  /** The job with this id and how far it is, if it exists. */
  Optional<QueuedJob> job(String id);
}
