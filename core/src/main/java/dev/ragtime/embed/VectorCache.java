package dev.ragtime.embed;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Design note: the disk tier is written behind the callers' backs.
 *
 *   put(key, v) ─► memory tier (Caffeine)             synchronous, cheap
 *               └► pending map (key → v)              synchronous, never blocks
 *   writer task ─► PersistentVectorCache.putAll, WRITE_BATCH entries at a time (the Lucene store
 *                  commits every COMMIT_EVERY entries); then drop them from pending
 *
 * A batch's callers get their vectors as soon as the memory tier and the pending map hold them: no
 * Lucene or database call, no commit and no lock of the disk tier is on their path. One writer task at a time
 * (started on the pipeline's executor when there is something to write, gone when there is not)
 * makes every disk write and periodic commit, so commits never convoy. A key is always visible in
 * memory, in the pending map, in the store's uncommitted map or in its committed index (the writer
 * removes it from pending only after the store holds it), so a late lookup never misses a vector
 * that was delivered.
 *
 * Bounded: when PENDING_LIMIT entries wait, awaitWriteCapacity() blocks; the dispatcher calls it
 * before forming a bulk batch, so a slow disk slows ingestion down (backpressure) instead of
 * dropping cache entries or growing without bound. Nothing is dropped except on a disk error: then
 * the entry is a future cache miss (counted, warned about once), never a failed embed.
 */

/**
 * The content-addressed vector cache: a bounded in-memory tier (Caffeine, weighed in bytes, with
 * maintenance run on the calling thread so no pool is involved) in front of an optional {@link
 * PersistentVectorCache} (the "disk tier": a {@link DiskVectorStore}, or a shared database) written
 * behind (see the design note in the source). Keys come from {@link TextKey}. Stored arrays are
 * never handed out: callers copy.
 *
 * <p>Errors of the disk tier never reach callers: a failed read is a miss, a failed write a lost
 * cache entry; each is counted in {@code ragtime.embedding.cache.disk.errors} and logged once.
 *
 * <p>Thread-safe. Close it to write what is pending, make the disk tier durable and release it.
 */
final class VectorCache implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(VectorCache.class);

  /** Most vectors waiting to be written to disk before {@link #awaitWriteCapacity} blocks. */
  static final int PENDING_LIMIT = DiskVectorStore.COMMIT_EVERY;

  /**
   * Most entries the writer hands the disk tier in one call: one round trip to a database for this
   * many rows, small enough that a failed call loses little.
   */
  static final int WRITE_BATCH = 256;

  /** How long {@link #flush()} waits for the writer before it commits what was written. */
  static final Duration FLUSH_WAIT = Duration.ofMinutes(1);

  /**
   * Outcome of a lookup: what each tier held. A key is in at most one of the maps (memory wins).
   * The caller still decides whether a vector is usable (its dimension), and so what counts as a
   * hit.
   */
  record Lookup(Map<String, float[]> memory, Map<String, float[]> disk) {}

  private final Cache<String, float[]> memory;
  private final Optional<PersistentVectorCache> disk;
  private final Executor executor;
  private final PipelineMetrics metrics;
  private final ConcurrentHashMap<String, float[]> pending = new ConcurrentHashMap<>();
  private final AtomicBoolean writerRunning = new AtomicBoolean();
  private final AtomicBoolean readWarned = new AtomicBoolean();
  private final AtomicBoolean writeWarned = new AtomicBoolean();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition drained = lock.newCondition(); // pending shrank or the writer stopped
  private volatile boolean closed;

  VectorCache(
      long memoryBytes,
      Optional<PersistentVectorCache> disk,
      Executor executor,
      PipelineMetrics metrics) {
    this.memory =
        memoryBytes > 0
            ? Caffeine.newBuilder()
                .maximumWeight(memoryBytes)
                .weigher((String k, float[] v) -> 96 + k.length() * 2 + v.length * 4)
                .executor(Runnable::run)
                .build()
            : null;
    this.disk = disk;
    this.executor = executor;
    this.metrics = metrics;
  }

  /**
   * Looks the keys up in memory, then the misses among the vectors waiting to be written and on
   * disk (promoting disk hits to memory). A disk tier that cannot be read counts as a miss.
   */
  Lookup getAll(Collection<String> keys) {
    return lookup(keys, true);
  }

  /**
   * The lookup that closes the single-flight race: a caller missed the cache, then found no text in
   * flight for a key, so a batch may have delivered it in between. The memory tier holds every
   * delivered vector (until evicted); without a memory tier the pending writes and the disk tier
   * are asked instead.
   */
  Map<String, float[]> getDelivered(Collection<String> keys) {
    Lookup found = lookup(keys, memory == null);
    if (found.disk().isEmpty()) {
      return found.memory();
    }
    var all = new HashMap<>(found.memory());
    all.putAll(found.disk());
    return all;
  }

  private Lookup lookup(Collection<String> keys, boolean readDisk) {
    Map<String, float[]> fromMemory = new HashMap<>();
    List<String> misses = new ArrayList<>();
    for (String key : keys) {
      float[] v = memory == null ? null : memory.getIfPresent(key);
      if (v != null) {
        fromMemory.put(key, v);
      } else {
        misses.add(key);
      }
    }
    if (disk.isEmpty() || misses.isEmpty()) {
      return new Lookup(fromMemory, Map.of());
    }
    Map<String, float[]> fromDisk = new HashMap<>();
    List<String> toRead = new ArrayList<>();
    for (String key : misses) {
      float[] v = pending.get(key);
      if (v != null) {
        fromDisk.put(key, v);
      } else {
        toRead.add(key);
      }
    }
    if (readDisk && !toRead.isEmpty()) {
      try {
        fromDisk.putAll(disk.get().getAll(toRead));
      } catch (RuntimeException e) { // UncheckedIOException, AlreadyClosedException, corruption
        diskError("read", e, readWarned);
      }
    }
    if (memory != null) {
      memory.putAll(fromDisk);
    }
    return new Lookup(fromMemory, fromDisk);
  }

  /** Stores a vector: in memory now, on disk soon (never blocks, never throws for the disk). */
  void put(String key, float[] vector) {
    if (memory != null) {
      memory.put(key, vector);
    }
    if (disk.isPresent() && !closed) {
      pending.put(key, vector);
      startWriter();
    }
  }

  /**
   * Blocks while {@value #PENDING_LIMIT} or more vectors wait to be written to disk: backpressure
   * for whoever produces them. Returns at once without a disk tier or once closed.
   */
  void awaitWriteCapacity() throws InterruptedException {
    if (disk.isEmpty()) {
      return;
    }
    lock.lockInterruptibly();
    try {
      while (!closed && pending.size() >= PENDING_LIMIT) {
        drained.await(100, TimeUnit.MILLISECONDS); // also re-checks if a signal was missed
      }
    } finally {
      lock.unlock();
    }
  }

  private void startWriter() {
    if (pending.isEmpty() || !writerRunning.compareAndSet(false, true)) {
      return;
    }
    try {
      executor.execute(this::writeAll);
    } catch (RuntimeException e) { // the executor is shutting down: write on this thread
      writeAll();
    }
  }

  /** The writer task: writes until nothing is pending, then stops (and restarts if needed). */
  private void writeAll() {
    try {
      while (!pending.isEmpty()) {
        Map<String, float[]> batch = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : pending.entrySet()) {
          batch.put(e.getKey(), e.getValue());
          if (batch.size() == WRITE_BATCH) {
            break;
          }
        }
        try {
          disk.orElseThrow().putAll(batch);
        } catch (RuntimeException ex) {
          diskError("write", ex, writeWarned); // the entries are lost: future misses, no more
        }
        batch.forEach(pending::remove);
        signalDrained();
      }
    } finally {
      writerRunning.set(false);
      signalDrained();
    }
    startWriter(); // a put may have landed between the last check and the flag
  }

  private void signalDrained() {
    lock.lock();
    try {
      drained.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Waits up to {@code timeout} for the writer to write everything pending; true if it did. */
  boolean awaitWritten(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (!pending.isEmpty() || writerRunning.get()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        drained.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      lock.unlock();
    }
  }

  private void diskError(String op, RuntimeException e, AtomicBoolean warned) {
    metrics.diskError(op);
    if (warned.compareAndSet(false, true)) {
      LOG.warn(
          "cannot {} the embedding cache on disk ({}); treating it as a miss and carrying on"
              + " (further errors are counted in ragtime.embedding.cache.disk.errors, not logged)",
          op,
          e.toString());
    }
  }

  /** Writes what is pending (up to {@link #FLUSH_WAIT}), then makes the disk tier durable now. */
  void flush() {
    if (disk.isEmpty()) {
      return;
    }
    awaitWritten(FLUSH_WAIT);
    try {
      disk.get().commit();
    } catch (RuntimeException e) {
      diskError("write", e, writeWarned);
    }
  }

  long memoryEntries() {
    return memory == null ? 0 : memory.estimatedSize();
  }

  /** Vectors delivered but not yet written to the disk tier. */
  int pendingWrites() {
    return pending.size();
  }

  boolean persistent() {
    return disk.isPresent();
  }

  /**
   * Stops taking writes, lets the writer finish what is pending for up to {@code timeout}, then
   * commits and releases the disk tier. Entries still pending after that are lost (misses).
   */
  void close(Duration timeout) {
    if (disk.isEmpty()) {
      closed = true;
      return;
    }
    if (!awaitWritten(timeout)) {
      LOG.warn(
          "{} embedding cache entries were not written to disk within {}; they are dropped",
          pending.size(),
          timeout);
    }
    closed = true;
    signalDrained();
    disk.get().close();
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }
}
