package dev.ragtime.ingest;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Live counters of an ingest run, updated by the ingestor (or another indexing producer, such as
 * the evaluation indexer) and read by progress displays from any thread. Counts are monotonic
 * within a run; only the producer of a run calls the mutators.
 */
public final class IngestProgress {
  private final AtomicLong total = new AtomicLong(-1);
  private final AtomicLong done = new AtomicLong();
  private final AtomicLong chunks = new AtomicLong();
  private final AtomicLong embedded = new AtomicLong();
  private final AtomicLong unchanged = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();

  /** Documents expected in total, or -1 while unknown (e.g. streaming a corpus). */
  public long total() {
    return total.get();
  }

  /** Documents finished: written, unchanged or failed. */
  public long done() {
    return done.get();
  }

  /** Chunks written so far. */
  public long chunks() {
    return chunks.get();
  }

  /** Chunk texts sent to the embedding model so far. */
  public long embedded() {
    return embedded.get();
  }

  public long unchanged() {
    return unchanged.get();
  }

  public long failed() {
    return failed.get();
  }

  /** Sets the number of documents expected, or -1 if unknown. */
  public void total(long n) {
    total.set(n);
  }

  /** One document was written with {@code chunkCount} chunks. */
  public void written(long chunkCount) {
    chunks.addAndGet(chunkCount);
    done.incrementAndGet();
  }

  /** {@code n} more texts were sent to the embedding model. */
  public void embeddedChunks(long n) {
    embedded.addAndGet(n);
  }

  /** One document was already indexed unchanged. */
  public void unchangedDocument() {
    unchanged.incrementAndGet();
    done.incrementAndGet();
  }

  /** One document failed (or was skipped). */
  public void failedDocument() {
    failed.incrementAndGet();
    done.incrementAndGet();
  }
}
