package dev.ragtime.postgres.queue;

import dev.ragtime.document.DocumentParsers;
import dev.ragtime.index.Index;
import dev.ragtime.ingest.IngestProgress;
import dev.ragtime.ingest.IngestReport;
import dev.ragtime.ingest.Ingestor;
import dev.ragtime.ingest.SourceDocument;
import dev.ragtime.ingest.SourceScan;
import dev.ragtime.postgres.StoreException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker of the durable ingestion queue: claims a batch, runs it through the same ingestor as
 * {@code ragtime ingest} (parse, chunk, embed, write), marks the documents done or failed, and goes
 * on until {@link #stop()}.
 *
 * <p>Exactly once. The index writes each document atomically and skips one whose content hash it
 * already holds, and a document is marked done only after its write returned. So when a worker dies
 * between the write and the mark, the next worker to claim the document (after the lease expired)
 * finds it unchanged: it is never indexed twice, nor half.
 *
 * <p>While a batch runs, a heartbeat thread extends its leases every third of the lease. {@link
 * #stop()} interrupts the batch and gives every lease back at once (documents already written are
 * found unchanged by whoever takes them next).
 *
 * <p>{@link #run()} is called once, on one thread; {@link #stop()} from any thread.
 */
public final class QueueWorker {
  private static final Logger log = LoggerFactory.getLogger(QueueWorker.class);

  /**
   * How a worker runs.
   *
   * @param holder this worker's id in leases (unique among running workers)
   * @param collection only this collection's documents, or any when empty
   * @param batch documents claimed at a time
   * @param lease how long a claim holds without a heartbeat
   * @param idleWait how long to wait before asking again when the queue is empty
   * @param untilEmpty return from {@link #run()} as soon as nothing is ready to be claimed
   */
  public record Settings(
      String holder,
      Optional<String> collection,
      int batch,
      Duration lease,
      Duration idleWait,
      boolean untilEmpty) {
    public static final int DEFAULT_BATCH = 32;
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(60);
    public static final Duration DEFAULT_IDLE_WAIT = Duration.ofMillis(500);

    public Settings {
      Objects.requireNonNull(holder, "holder");
      Objects.requireNonNull(collection, "collection");
      Objects.requireNonNull(lease, "lease");
      Objects.requireNonNull(idleWait, "idleWait");
      if (holder.isBlank()) {
        throw new IllegalArgumentException("worker id must not be blank");
      }
      if (batch < 1) {
        throw new IllegalArgumentException("batch must be >= 1, was " + batch);
      }
      if (lease.toMillis() < 100) {
        throw new IllegalArgumentException("lease must be at least 100ms, was " + lease);
      }
      if (idleWait.isNegative() || idleWait.isZero()) {
        throw new IllegalArgumentException("idle wait must be positive, was " + idleWait);
      }
    }
  }

  /** What a worker did, counted in documents. */
  public record Totals(long batches, long done, long failedAttempts, long released) {}

  private final PgQueue queue;
  private final Settings settings;
  private final Function<String, Index> indexes;
  private final Function<Index, Ingestor> ingestors;
  private final DocumentParsers parsers;
  private final Map<String, Index> open = new HashMap<>(); // only the run thread
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong done = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong released = new AtomicLong();
  private final ReentrantLock busyLock = new ReentrantLock();
  private boolean busy; // guarded by busyLock
  private volatile boolean stopping;
  private volatile Thread runner;
  private volatile List<Long> leased = List.of();

  /**
   * @param indexes opens a collection's index for writing (the worker closes what it opened)
   * @param ingestors the ingestor of an open index (the composition root's, as for {@code ingest})
   */
  public QueueWorker(
      PgQueue queue,
      Settings settings,
      Function<String, Index> indexes,
      Function<Index, Ingestor> ingestors,
      DocumentParsers parsers) {
    this.queue = Objects.requireNonNull(queue, "queue");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.indexes = Objects.requireNonNull(indexes, "indexes");
    this.ingestors = Objects.requireNonNull(ingestors, "ingestors");
    this.parsers = Objects.requireNonNull(parsers, "parsers");
  }

  /**
   * Works until {@link #stop()} is called or the calling thread is interrupted, then gives back its
   * leases and closes the indexes it opened.
   */
  public Totals run() {
    runner = Thread.currentThread();
    Thread heartbeat = Thread.ofVirtual().name("ragtime-worker-heartbeat").start(this::heartbeat);
    try {
      while (!stopping && !Thread.currentThread().isInterrupted()) {
        List<ClaimedItem> items;
        try {
          items =
              queue.claim(
                  settings.holder(), settings.collection(), settings.batch(), settings.lease());
        } catch (StoreException e) {
          if (stopping || waitAfterStoreFailure(e)) {
            break;
          }
          continue;
        }
        if (items.isEmpty()) {
          if (settings.untilEmpty()
              || stopped.await(settings.idleWait().toMillis(), TimeUnit.MILLISECONDS)) {
            break;
          }
          continue;
        }
        leased = items.stream().map(ClaimedItem::id).toList();
        batches.incrementAndGet();
        if (!busy(true)) {
          break; // stop() came just now: the leases are given back below
        }
        try {
          process(items);
        } catch (StoreException e) {
          if (stopping) {
            throw e;
          }
          // Marking the batch failed: its leases expire and whatever it wrote is found unchanged.
          leased = List.of();
          busy(false);
          if (waitAfterStoreFailure(e)) {
            break;
          }
          continue;
        } finally {
          busy(false);
        }
        leased = List.of();
      }
    } catch (InterruptedException | Ingestor.IngestInterruptedException e) {
      // stop() interrupted the batch; its leases are given back below.
    } catch (RuntimeException e) {
      if (!stopping) {
        throw e;
      }
      // A database call that the interrupt of stop() broke off.
    } finally {
      heartbeat.interrupt();
      Thread.interrupted(); // so the calls below run
      leased = List.of();
      try {
        released.addAndGet(queue.release(settings.holder()));
      } catch (RuntimeException e) {
        log.warn(
            "could not give back the leases of {}; they expire by themselves",
            settings.holder(),
            e);
      }
      for (var e : open.entrySet()) {
        try {
          e.getValue().close();
        } catch (RuntimeException ex) {
          log.warn("closing collection '{}' failed", e.getKey(), ex);
        }
      }
      open.clear();
      runner = null;
    }
    return totals();
  }

  /**
   * After the database failed: logs it and waits {@link #STORE_RETRY} (the worker keeps going once
   * the database is back).
   *
   * @return true if {@link #stop()} came meanwhile
   */
  private boolean waitAfterStoreFailure(StoreException e) throws InterruptedException {
    log.warn(
        "worker {}: {}; trying again in {} s",
        settings.holder(),
        e.getMessage(),
        STORE_RETRY.toSeconds());
    return stopped.await(STORE_RETRY.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** How long a worker waits before asking the database again after it failed. */
  static final Duration STORE_RETRY = Duration.ofSeconds(2);

  /** Makes {@link #run()} give back its leases and return; returns at once. */
  public void stop() {
    busyLock.lock();
    try {
      stopping = true;
      stopped.countDown();
      Thread t = runner;
      if (busy && t != null) {
        t.interrupt(); // only a running batch is interrupted, never the clean-up after it
      }
    } finally {
      busyLock.unlock();
    }
  }

  /**
   * Marks the run thread as running a batch (which {@link #stop()} interrupts) or not; when it ends
   * a batch, clears an interrupt aimed at it.
   *
   * @return false when starting a batch after {@link #stop()}
   */
  private boolean busy(boolean starting) {
    busyLock.lock();
    try {
      if (starting && stopping) {
        return false;
      }
      busy = starting;
      if (!starting) {
        Thread.interrupted();
      }
      return true;
    } finally {
      busyLock.unlock();
    }
  }

  /** What the worker did so far. */
  public Totals totals() {
    return new Totals(batches.get(), done.get(), failed.get(), released.get());
  }

  private void process(List<ClaimedItem> items) {
    var byCollection = new LinkedHashMap<String, List<ClaimedItem>>();
    for (ClaimedItem item : items) {
      byCollection.computeIfAbsent(item.collection(), k -> new ArrayList<>()).add(item);
    }
    for (var e : byCollection.entrySet()) {
      ingest(e.getKey(), e.getValue());
    }
  }

  private void ingest(String collection, List<ClaimedItem> items) {
    // Claims never hold two items of one document, so its path or id identifies the item (the
    // ingestor reports a failure by either).
    var byDoc = new HashMap<String, ClaimedItem>();
    var sources = new ArrayList<SourceDocument>(items.size());
    for (ClaimedItem item : items) {
      byDoc.put(item.document().path(), item);
      byDoc.put(item.document().id(), item);
      sources.add(item.document().source(parsers));
    }
    IngestReport report;
    try {
      Index index = open.computeIfAbsent(collection, indexes);
      report =
          ingestors
              .apply(index)
              .ingest(
                  sources.iterator(),
                  sources.size(),
                  SourceScan.empty(),
                  false,
                  new IngestProgress());
    } catch (Ingestor.IngestInterruptedException e) {
      throw e;
    } catch (RuntimeException e) {
      if (stopping) {
        throw e;
      }
      // The collection could not be opened or written: every document of it tries again later
      // (those the failed run did write are found unchanged then).
      log.warn("ingesting {} documents into '{}' failed", items.size(), collection, e);
      for (ClaimedItem item : items) {
        recordFailure(item, describe(e));
      }
      return;
    }
    var failedIds = new HashMap<Long, String>();
    for (IngestReport.Failure f : report.failures()) {
      ClaimedItem item = byDoc.get(f.path());
      if (item != null) {
        failedIds.put(item.id(), f.reason());
      }
    }
    var ok = new ArrayList<Long>();
    for (ClaimedItem item : items) {
      String reason = failedIds.get(item.id());
      if (reason == null) {
        ok.add(item.id());
      } else {
        recordFailure(item, reason);
      }
    }
    int marked = queue.complete(settings.holder(), ok);
    done.addAndGet(marked);
    if (marked < ok.size()) {
      log.warn(
          "{} of {} documents were written but their lease had passed to another worker, which"
              + " finds them unchanged",
          ok.size() - marked,
          ok.size());
    }
  }

  private void recordFailure(ClaimedItem item, String reason) {
    failed.incrementAndGet();
    queue.fail(settings.holder(), item.id(), reason);
  }

  private void heartbeat() {
    long every = Math.max(50, settings.lease().toMillis() / 3);
    while (!stopping) {
      try {
        Thread.sleep(every);
      } catch (InterruptedException e) {
        return; // stopping
      }
      List<Long> ids = leased;
      if (ids.isEmpty()) {
        continue;
      }
      try {
        int held = queue.extend(settings.holder(), ids, settings.lease());
        if (held < ids.size()) {
          log.warn(
              "{} of {} leases of {} had expired before the heartbeat",
              ids.size() - held,
              ids.size(),
              settings.holder());
        }
      } catch (RuntimeException e) {
        // Tried again next beat; if the database stays away the leases run out and other workers
        // take over: nothing is lost.
        log.warn("heartbeat of {} failed: {}", settings.holder(), describe(e));
      }
    }
  }

  private static String describe(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }
}
