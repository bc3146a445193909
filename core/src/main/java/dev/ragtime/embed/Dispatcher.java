package dev.ragtime.embed;

import dev.ragtime.provider.EmbeddingCancelledException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Design note: two lanes.
 *
 *   bulk lane  (passages)  MicroBatcher ─► [provider hold?] ─► [disk writes caught up?]
 *                          ─► permit of the adaptive limit ─► batch (linger ≤ maxWait, or until
 *                          rate quota is back) ─► reserve quota ─► task
 *   query lane (queries)   MicroBatcher ─► permit of the query lane (QUERY_LANE_CONCURRENCY)
 *                          ─► batch, no linger ─► task
 *
 * Each lane has its own loop, queue and permits, so a query never queues behind passages, never
 * waits for a permit a bulk batch holds, and never lingers: a query alone leaves at once, and
 * queries arriving together while one is in flight leave together. The bulk lane takes its permit
 * before it forms a batch, so while the provider is saturated texts pile up and batches leave full.
 * Against a rate-limited provider the permits are not what binds, the quota is: so a paced bulk
 * batch keeps filling for as long as the pacer would hold its request back anyway (the linger
 * grows to that wait; a full batch still leaves at once), and its quota is reserved here, when it
 * is sealed, so the next batch sees it spent and fills in turn. Many callers with one text each
 * then share requests at the provider's rate instead of each taking one of them.
 * For the local model the lanes meet again at the model itself, where ModelGate lets a query go
 * first. A remote query still goes through the same pacing, breaker and retries as any batch.
 */

/**
 * The dispatcher: turns queued texts into batch tasks on the executor, tracks the running tasks and
 * drains them at close. Thread-safe.
 *
 * <p>Lifecycle: {@link #start} submits the two lane loops; {@link #submit} queues texts; {@link
 * #close} refuses new texts, lets queued and running batches finish for up to the drain timeout,
 * then interrupts what is left and fails what is still queued. After {@link #close} returns {@link
 * #open()} is false, and no batch task, model call or per-caller retry of the local model starts.
 */
final class Dispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

  /** Query batches in flight at once, besides the bulk lane's adaptive limit. */
  static final int QUERY_LANE_CONCURRENCY = 2;

  private final EmbeddingConfig config;
  private final MicroBatcher bulk;
  private final MicroBatcher queries;
  private final AdaptiveLimiter limiter;
  private final AdaptiveLimiter queryLimiter;
  private final Optional<RatePacer> pacer;
  private final VectorCache cache;
  private final IntSupplier maxBatch;
  private final Executor executor;
  private final Sleeper sleeper;
  private final PipelineMetrics metrics;
  private final BatchSender.Sink sink;
  private volatile BatchSender sender;

  private final CountDownLatch loopsDone = new CountDownLatch(2);
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet(); // loops and batch tasks
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition idle = lock.newCondition();
  private int activeBatches; // guarded by lock
  private volatile boolean stopped;
  private volatile EmbeddingCancelledException failure;

  Dispatcher(
      EmbeddingConfig config,
      AdaptiveLimiter limiter,
      AdaptiveLimiter queryLimiter,
      Optional<RatePacer> pacer,
      VectorCache cache,
      IntSupplier maxBatch,
      Executor executor,
      Sleeper sleeper,
      PipelineMetrics metrics,
      BatchSender.Sink sink) {
    this.config = config;
    int capacity = Math.max(1_024, config.maxBatch() * config.maxConcurrency() * 4);
    this.bulk = new MicroBatcher(capacity);
    this.queries = new MicroBatcher(capacity);
    this.limiter = limiter;
    this.queryLimiter = queryLimiter;
    this.pacer = pacer;
    this.cache = cache;
    this.maxBatch = maxBatch;
    this.executor = executor;
    this.sleeper = sleeper;
    this.metrics = metrics;
    this.sink = sink;
  }

  /** A query lane limit of {@value #QUERY_LANE_CONCURRENCY}, adapting like the bulk lane's. */
  static AdaptiveLimiter queryLaneLimiter(EmbeddingConfig config) {
    return new AdaptiveLimiter(
        new AimdLimit(
            QUERY_LANE_CONCURRENCY,
            QUERY_LANE_CONCURRENCY,
            AimdLimit.DEFAULT_BACKOFF_RATIO,
            config.timeout().dividedBy(2)));
  }

  /**
   * Submits both lane loops to the executor.
   *
   * @throws java.util.concurrent.RejectedExecutionException if the executor refuses them
   */
  void start(BatchSender sender) {
    this.sender = sender;
    int submitted = 0;
    try {
      executor.execute(() -> loop(bulk, true));
      submitted++;
      executor.execute(() -> loop(queries, false));
      submitted++;
    } finally {
      for (int i = submitted; i < 2; i++) {
        loopsDone.countDown(); // a loop never started is done, so close() does not wait for it
      }
    }
  }

  /**
   * Queues fresh texts in their lane, blocking while a lane is full (backpressure).
   *
   * @throws IllegalStateException if closed, or the dispatcher failed
   */
  void submit(List<PendingText> items) throws InterruptedException {
    List<PendingText> q = new ArrayList<>();
    List<PendingText> b = new ArrayList<>();
    for (PendingText p : items) {
      (p.purpose == EmbeddingModel.Purpose.QUERY ? q : b).add(p);
    }
    if (!q.isEmpty()) {
      queries.enqueue(q);
    }
    if (!b.isEmpty()) {
      bulk.enqueue(b);
    }
  }

  /** Whether batches may still start: false once {@link #close} has given up on the rest. */
  boolean open() {
    return !stopped;
  }

  /** The failure that stopped a loop, if one did: nothing can be embedded any more. */
  Optional<EmbeddingCancelledException> failure() {
    return Optional.ofNullable(failure);
  }

  /** Texts waiting in both lanes. */
  int queued() {
    return bulk.size() + queries.size();
  }

  private void loop(MicroBatcher lane, boolean isBulk) {
    Thread me = Thread.currentThread();
    threads.add(me);
    AdaptiveLimiter permits = isBulk ? limiter : queryLimiter;
    AdaptiveLimiter.Permit held = null; // taken but not yet handed to a batch task
    List<PendingText> inHand = List.of(); // taken from the queue but not yet handed over
    try {
      while (lane.awaitNonEmpty()) {
        if (isBulk) {
          Duration hold = pacer.map(RatePacer::holdRemaining).orElse(Duration.ZERO);
          if (hold.isPositive()) {
            // The provider ordered everyone to wait (a Retry-After, or a quota reported exhausted
            // until its reset): form no batch meanwhile, so the texts that arrive pile up and leave
            // in full batches afterwards, and no batch waits holding a concurrency permit.
            sleeper.sleep(hold);
            continue;
          }
          cache.awaitWriteCapacity(); // a slow disk tier slows ingestion, it does not drop
        }
        AdaptiveLimiter.Permit permit = permits.acquire();
        held = permit;
        Optional<RatePacer> paced = isBulk ? pacer : Optional.empty();
        List<PendingText> batch =
            lane.take(
                maxBatch.getAsInt(),
                config.maxBatchTokens(),
                isBulk ? config.maxWait() : Duration.ZERO,
                paced.map(this::fillFor).orElse(Duration.ZERO));
        if (batch.isEmpty()) { // everything queued was cancelled meanwhile
          permit.ignore();
          held = null;
          continue;
        }
        inHand = batch;
        long now = System.nanoTime();
        for (PendingText p : batch) {
          metrics.queueWait(now - p.enqueuedNanos);
        }
        // Reserve here, not in the sender's task: the next batch then sees this one's quota gone
        // and keeps filling until quota is back.
        Optional<RatePacer.Reservation> reserved =
            paced.map(p -> p.reserve(batch.stream().mapToInt(t -> t.tokens).sum()));
        started();
        try {
          executor.execute(() -> runBatch(batch, permit, reserved));
        } catch (RuntimeException e) { // RejectedExecutionException, or any other refusal
          permit.ignore();
          reserved.ifPresent(r -> pacer.orElseThrow().cancel(r));
          finished();
          sink.fail(batch, new EmbeddingCancelledException("the executor refused the batch", e));
        }
        held = null;
        inHand = List.of();
      }
    } catch (InterruptedException e) {
      if (held != null) {
        held.ignore();
      }
      sink.fail(inHand, new EmbeddingCancelledException("embedding pipeline closed", e));
    } catch (RuntimeException | Error e) {
      LOG.error("embedding dispatcher failed; failing queued texts and refusing new ones", e);
      var broken =
          new EmbeddingCancelledException(
              "the embedding dispatcher failed unexpectedly, so this pipeline can embed nothing"
                  + " more: "
                  + e,
              e);
      failure = broken;
      if (held != null) {
        held.ignore();
      }
      bulk.shutdown(); // first, so no text can be queued after the drain
      queries.shutdown();
      var lost = new ArrayList<>(inHand);
      lost.addAll(bulk.drainAll());
      lost.addAll(queries.drainAll());
      sink.fail(lost, broken);
    } finally {
      threads.remove(me);
      loopsDone.countDown();
    }
  }

  /**
   * How long a paced bulk batch keeps filling before it is sealed: as long as our own pacing would
   * hold its request back anyway, unless that wait would reach the batch's deadline (then it is
   * sealed at once, and the sender fails it retryably as before instead of letting it sit).
   */
  private Duration fillFor(RatePacer p) {
    Duration wait = p.untilFree();
    return wait.compareTo(config.deadline()) < 0 ? wait : Duration.ZERO;
  }

  private void runBatch(
      List<PendingText> batch,
      AdaptiveLimiter.Permit permit,
      Optional<RatePacer.Reservation> reserved) {
    Thread me = Thread.currentThread();
    threads.add(me);
    try {
      if (stopped) {
        permit.ignore();
        reserved.ifPresent(r -> pacer.orElseThrow().cancel(r));
        sink.fail(batch, new EmbeddingCancelledException("embedding pipeline closed", null));
        return;
      }
      sender.send(batch, permit, reserved);
    } catch (RuntimeException | Error e) {
      sink.fail(batch, BatchSender.unexpected("an embedding batch task", e));
    } finally {
      threads.remove(me);
      Thread.interrupted(); // do not leak an interrupt into the executor's thread
      finished();
    }
  }

  private void started() {
    lock.lock();
    try {
      activeBatches++;
    } finally {
      lock.unlock();
    }
  }

  private void finished() {
    lock.lock();
    try {
      activeBatches--;
      idle.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Refuses new texts, lets queued and running batches finish for up to {@code drainTimeout}, then
   * interrupts the rest, fails what is still queued and waits a little more. Afterwards nothing
   * starts. Returns whether everything finished.
   */
  boolean close(Duration drainTimeout) {
    bulk.shutdown();
    queries.shutdown();
    boolean drained = awaitQuiet(drainTimeout);
    if (!drained) {
      LOG.warn("embedding pipeline did not drain within {}; cancelling the rest", drainTimeout);
      stopped = true; // from here on no batch, slice or retry starts
      threads.forEach(Thread::interrupt);
      var cancelled = new EmbeddingCancelledException("embedding pipeline closed", null);
      sink.fail(bulk.drainAll(), cancelled);
      sink.fail(queries.drainAll(), cancelled);
      drained = awaitQuiet(Duration.ofSeconds(5));
    }
    stopped = true;
    return drained;
  }

  private boolean awaitQuiet(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      if (!loopsDone.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        return false;
      }
      lock.lock();
      try {
        while (activeBatches > 0) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return false;
          }
          idle.awaitNanos(left);
        }
      } finally {
        lock.unlock();
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
