package dev.ragtime.ingest;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Live counters of an ingest run, updated by the ingestor and read by progress displays from any
 * thread. Counts are monotonic within a run.
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

  void total(long n) {
    total.set(n);
  }

  void written(long chunkCount) {
    chunks.addAndGet(chunkCount);
    done.incrementAndGet();
  }

  void embeddedChunks(long n) {
    embedded.addAndGet(n);
  }

  void unchangedDocument() {
    unchanged.incrementAndGet();
    done.incrementAndGet();
  }

  void failedDocument() {
    failed.incrementAndGet();
    done.incrementAndGet();
  }
}
