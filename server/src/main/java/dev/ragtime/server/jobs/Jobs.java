package dev.ragtime.server.jobs;

import dev.ragtime.ingest.IngestReport;
import dev.ragtime.ingest.SourceDocument;
import dev.ragtime.ingest.SourceScan;
import dev.ragtime.server.collections.OpenCollections;
import dev.ragtime.server.http.ApiException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingestion queue of the service: accepts jobs, runs each on the executor (one at a time per
 * collection, since runs into one index must not overlap), and remembers the most recent ones.
 *
 * <p>Bounded: at most {@link JobLimits#maxActiveJobs} jobs are queued or running, holding at most
 * {@link JobLimits#maxQueuedBytes} bytes of posted content; past either bound {@link #submit}
 * refuses with 429 and a {@code Retry-After}, so a burst of posts never turns into unbounded
 * memory. Finished jobs are kept for {@code GET /v1/jobs} up to {@link JobLimits#history}, oldest
 * dropped first.
 *
 * <p>Thread-safe. {@link #drain} stops accepting and waits for the accepted jobs to finish (each
 * commits what it ingested).
 */
public final class Jobs {
  private static final Logger log = LoggerFactory.getLogger(Jobs.class);

  /** Limits of the ingestion queue. */
  public record JobLimits(int maxActiveJobs, long maxQueuedBytes, int history) {
    public static final int DEFAULT_MAX_ACTIVE_JOBS = 64;
    public static final long DEFAULT_MAX_QUEUED_BYTES = 256L * 1024 * 1024;
    public static final int DEFAULT_HISTORY = 100;
    public static final JobLimits DEFAULT =
        new JobLimits(DEFAULT_MAX_ACTIVE_JOBS, DEFAULT_MAX_QUEUED_BYTES, DEFAULT_HISTORY);

    public JobLimits {
      if (maxActiveJobs < 1) {
        throw new IllegalArgumentException("maxActiveJobs must be >= 1, was " + maxActiveJobs);
      }
      if (maxQueuedBytes < 1) {
        throw new IllegalArgumentException("maxQueuedBytes must be >= 1, was " + maxQueuedBytes);
      }
      if (history < 1) {
        throw new IllegalArgumentException("history must be >= 1, was " + history);
      }
    }
  }

  private final OpenCollections collections;
  private final Executor executor;
  private final JobLimits limits;
  private final Clock clock;
  private final ReentrantLock lock = new ReentrantLock();
  private final Map<String, Job> byId = new LinkedHashMap<>(); // guarded by lock
  private final Deque<Job> finished = new ArrayDeque<>(); // guarded by lock
  private final List<Job> active = new ArrayList<>(); // guarded by lock
  private final AtomicLong sequence = new AtomicLong();
  private long queuedBytes; // guarded by lock
  private boolean accepting = true; // guarded by lock

  public Jobs(OpenCollections collections, Executor executor, JobLimits limits, Clock clock) {
    this.collections = Objects.requireNonNull(collections, "collections");
    this.executor = Objects.requireNonNull(executor, "executor");
    this.limits = Objects.requireNonNull(limits, "limits");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Accepts documents posted to a collection and starts ingesting them in the background.
   *
   * @param bytes the size of their content, counted against {@link JobLimits#maxQueuedBytes}
   * @throws ApiException 429 when the queue is full, 503 while shutting down
   */
  public Job submit(String collection, List<SourceDocument> documents, long bytes) {
    List<SourceDocument> docs = List.copyOf(documents);
    return start(collection, "api", bytes, docs.size(), docs, SourceScan.empty());
  }

  /** Accepts a scan of files (from {@code serve --ingest}); its files are read when it runs. */
  public Job submitScan(String collection, String source, SourceScan scan) {
    return start(collection, source, 0, scan.documents().size(), scan.documents(), scan);
  }

  private Job start(
      String collection,
      String source,
      long bytes,
      long total,
      List<SourceDocument> docs,
      SourceScan scan) {
    Job job;
    lock.lock();
    try {
      if (!accepting) {
        throw ApiException.unavailable("the service is shutting down; no new jobs", 5);
      }
      if (active.size() >= limits.maxActiveJobs()) {
        throw ApiException.saturated(
            "ingestion is saturated: "
                + active.size()
                + " jobs are queued or running (the limit); retry later",
            retryAfterSeconds());
      }
      if (bytes > limits.maxQueuedBytes()) {
        throw ApiException.tooLarge(
            "the documents hold "
                + bytes
                + " bytes, more than the ingestion queue holds ("
                + limits.maxQueuedBytes()
                + "); post them in smaller batches");
      }
      if (queuedBytes + bytes > limits.maxQueuedBytes()) {
        throw ApiException.saturated(
            "ingestion is saturated: "
                + queuedBytes
                + " bytes of documents are waiting (limit "
                + limits.maxQueuedBytes()
                + "); retry later",
            retryAfterSeconds());
      }
      String id = "job-" + sequence.incrementAndGet();
      job = new Job(id, collection, source, clock.instant(), bytes, total);
      queuedBytes += bytes;
      active.add(job);
      byId.put(id, job);
    } finally {
      lock.unlock();
    }
    try {
      executor.execute(() -> run(job, docs, scan));
    } catch (RuntimeException e) {
      finish(job);
      job.failed("could not be started: " + e.getMessage(), clock.instant());
      throw ApiException.unavailable("the service is shutting down; no new jobs", 5);
    }
    return job;
  }

  /** A hint for clients: about one second per queued job, within [1, 30]. */
  private long retryAfterSeconds() {
    return Math.min(30, Math.max(1, active.size() / 2));
  }

  private void run(Job job, List<SourceDocument> docs, SourceScan scan) {
    try {
      OpenCollections.Collection c = collections.require(job.collection());
      c.writes().lock();
      try {
        job.started(clock.instant());
        IngestReport report =
            c.ingestor().ingest(docs.iterator(), docs.size(), scan, false, job.progress());
        finish(job);
        job.succeeded(report, clock.instant());
      } finally {
        c.writes().unlock();
      }
    } catch (ApiException e) {
      finish(job);
      job.failed(e.getMessage(), clock.instant());
    } catch (RuntimeException e) {
      log.warn("ingestion job {} failed", job.id(), e);
      finish(job);
      job.failed("ingestion failed: " + e.getMessage(), clock.instant());
    }
  }

  /** Moves a job from the active set to the history, releasing its bytes. */
  private void finish(Job job) {
    lock.lock();
    try {
      if (active.remove(job)) {
        queuedBytes -= job.bytes();
        finished.addLast(job);
        while (finished.size() > limits.history()) {
          byId.remove(finished.removeFirst().id());
        }
      }
    } finally {
      lock.unlock();
    }
  }

  public Optional<Job> get(String id) {
    lock.lock();
    try {
      return Optional.ofNullable(byId.get(id));
    } finally {
      lock.unlock();
    }
  }

  /** Jobs still remembered, newest first. */
  public List<Job> recent() {
    lock.lock();
    try {
      var all = new ArrayList<>(byId.values());
      java.util.Collections.reverse(all);
      return all;
    } finally {
      lock.unlock();
    }
  }

  /** Jobs queued or running now. */
  public int activeCount() {
    lock.lock();
    try {
      return active.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops accepting jobs and waits for the accepted ones to finish.
   *
   * @return true if all finished within {@code timeout}
   */
  public boolean drain(Duration timeout) throws InterruptedException {
    List<Job> waiting;
    lock.lock();
    try {
      accepting = false;
      waiting = List.copyOf(active);
    } finally {
      lock.unlock();
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Job j : waiting) {
      try {
        j.done().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        return false;
      } catch (java.util.concurrent.ExecutionException e) {
        // a job's future only completes normally; nothing to do
      }
    }
    return true;
  }
}
