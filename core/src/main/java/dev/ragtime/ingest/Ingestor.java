package dev.ragtime.ingest;

import dev.ragtime.chunk.Chunk;
import dev.ragtime.chunk.Chunker;
import dev.ragtime.document.ParsedDocument;
import dev.ragtime.embed.EmbeddingModel;
import dev.ragtime.index.DocumentWrite;
import dev.ragtime.index.Index;
import dev.ragtime.index.IndexedChunk;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingests documents into one collection: hash, skip if unchanged, parse, chunk, embed, write.
 *
 * <p>Design. Each document runs as one task on the executor the caller supplies (virtual threads in
 * production); a semaphore bounds how many are in flight, so memory stays flat however large the
 * source. Every stage inside a task is plain blocking code. Embedding calls from concurrent tasks
 * are coalesced into provider batches by the embedding pipeline behind {@link EmbeddingModel}, so
 * the ingestor does not batch by itself. Finished documents go through a bounded queue to a single
 * writer task, which groups them into one atomic, durable index commit per group ({@link
 * IngestConfig#commitDocuments()} documents or {@link IngestConfig#commitInterval()}, whichever
 * comes first). A document counts as done only after its commit returned, so what a run reports as
 * done survives a crash.
 *
 * <p>Failure handling. A document that cannot be read, parsed, chunked or embedded is reported with
 * its reason and never stops the others; the index keeps its previous version, and because its
 * content hash was not recorded, the next run tries it again. A failing index write is fatal for
 * the run (the disk or index is broken) and surfaces as an exception after in-flight work stops.
 * Anything else that ends a run early (an interrupt, a source that fails while it is iterated, such
 * as a truncated {@code .jsonl.gz}) aborts it: running document tasks are interrupted, nothing more
 * is written (a commit already begun completes), and {@link #ingest} throws only after every task
 * and the writer have ended, so no work of the run outlives the call.
 *
 * <p>Thread-safe: one instance may run several ingests, though runs into the same index should not
 * overlap.
 */
public final class Ingestor {
  private static final Logger log = LoggerFactory.getLogger(Ingestor.class);

  /** Version of the chunk-text and embed-text format; part of every content hash. */
  static final String FORMAT_VERSION = "ingest-v2";

  private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  private final Index index;
  private final Supplier<EmbeddingModel> model;
  private final Chunker chunker;
  private final IngestConfig config;
  private final Executor executor;

  private Ingestor(
      Index index,
      Supplier<EmbeddingModel> model,
      Chunker chunker,
      IngestConfig config,
      Executor executor) {
    this.index = Objects.requireNonNull(index, "index");
    this.model = Objects.requireNonNull(model, "model");
    this.chunker = Objects.requireNonNull(chunker, "chunker");
    this.config = Objects.requireNonNull(config, "config");
    this.executor = Objects.requireNonNull(executor, "executor");
  }

  /**
   * Creates an ingestor.
   *
   * @param model supplies the embedding model when the first document needs embedding (so a re-run
   *     where nothing changed never loads it)
   * @param executor runs one task per document plus the writer; virtual threads recommended
   */
  public static Ingestor create(
      Index index,
      Supplier<EmbeddingModel> model,
      Chunker chunker,
      IngestConfig config,
      Executor executor) {
    return new Ingestor(index, model, chunker, config, executor);
  }

  /**
   * The fingerprint mixed into every content hash: a changed chunker, or anything that changes a
   * vector (model, dimension, truncation: {@link dev.ragtime.embed.ModelInfo#fingerprint()}),
   * invalidates old chunks.
   */
  String fingerprint() {
    return FORMAT_VERSION + "|" + chunker.fingerprint() + "|" + index.model().fingerprint();
  }

  /**
   * Ingests the sources.
   *
   * @param sources documents to ingest, iterated once on the calling thread
   * @param expectedTotal how many documents {@code sources} will yield, or -1 if unknown
   * @param pre problems found before ingestion (e.g. unreadable directories, unsupported files)
   * @param prune delete every document of the collection that {@code sources} did not yield
   * @param progress live counters for a progress display
   * @throws IndexWriteException when the index cannot be written; its {@link
   *     IndexWriteException#report()} tells what the run committed before that
   * @throws IngestInterruptedException when the calling thread is interrupted
   * @throws RuntimeException whatever {@code sources} throws (for a corpus, a {@link
   *     dev.ragtime.document.DocumentException}); documents committed before it stay committed
   */
  public IngestReport ingest(
      Iterator<SourceDocument> sources,
      long expectedTotal,
      SourceScan pre,
      boolean prune,
      IngestProgress progress) {
    long start = System.nanoTime();
    progress.total(expectedTotal);
    var run = new Run(progress);
    var writer = CompletableFuture.runAsync(run::writeLoop, executor);
    var seen = new HashSet<String>();
    var permits = new Semaphore(config.documentsInFlight());
    var tasks = new ArrayList<CompletableFuture<Void>>();
    String fingerprint = fingerprint();
    boolean completed = false;
    try {
      while (sources.hasNext() && !run.fatal()) {
        SourceDocument doc = sources.next();
        if (!seen.add(doc.id())) {
          run.fail(doc.path(), "duplicate document id '" + doc.id() + "' in this run; skipped");
          continue;
        }
        // Wait for a permit, but notice a failed commit meanwhile.
        boolean acquired;
        do {
          acquired = permits.tryAcquire(SLICE_NANOS, TimeUnit.NANOSECONDS);
        } while (!acquired && !run.fatal());
        if (!acquired) {
          run.fail(doc.path(), WRITE_FAILED_EARLIER);
          break;
        }
        try {
          tasks.add(
              CompletableFuture.runAsync(
                  () -> {
                    try {
                      run.task(doc, fingerprint);
                    } finally {
                      permits.release();
                    }
                  },
                  executor));
        } catch (RuntimeException e) {
          permits.release(); // the executor refused the task
          throw e;
        }
        if (tasks.size() > 4 * config.documentsInFlight()) {
          tasks.removeIf(CompletableFuture::isDone);
        }
      }
      // Wait for the documents in flight, unless a commit fails first.
      CompletableFuture.anyOf(
              CompletableFuture.allOf(tasks.toArray(CompletableFuture[]::new)), run.failed)
          .get();
      if (run.fatal()) {
        // The index is broken: stop the documents still being embedded instead of waiting for
        // work that can no longer be written.
        run.abort(tasks, writer);
      } else {
        run.finishWriting();
        writer.get();
        // A task may have queued its document after a failed commit ended the writer.
        run.failQueued(WRITE_FAILED_EARLIER);
      }
      completed = true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IngestInterruptedException("ingestion interrupted", e);
    } catch (ExecutionException e) {
      throw unwrap(e);
    } finally {
      if (!completed) {
        // Whatever ended the run early (an interrupt, a source that failed mid-way such as a
        // truncated .jsonl.gz, a refused task): stop every task and the writer before leaving, so
        // nothing of this run keeps running, or touches the index, after ingest() has returned.
        run.abort(tasks, writer);
      }
    }
    long pruned = 0;
    if (prune && !run.fatal()) {
      var gone = new HashSet<>(index.documentIds());
      gone.removeAll(seen);
      // Documents that failed this run were seen; only vanished ones go.
      pruned = index.delete(gone).size();
    }
    var failures = new ArrayList<>(pre.failures());
    failures.addAll(run.failures);
    // The counts come from the progress counters, which count a document written only after its
    // commit returned: after a failed commit they still say exactly what is in the index.
    var report =
        new IngestReport(
            seen.size() + pre.failures().size(),
            progress.chunks(),
            progress.embedded(),
            progress.unchanged(),
            progress.failed() + pre.failures().size(),
            failures,
            pre.skipped(),
            pruned,
            Duration.ofNanos(System.nanoTime() - start));
    run.rethrowFatal(report);
    return report;
  }

  private static RuntimeException unwrap(ExecutionException e) {
    Throwable c = e.getCause();
    if (c instanceof RuntimeException r) {
      return r;
    }
    if (c instanceof Error err) {
      throw err;
    }
    return new IndexWriteException("ingestion failed: " + c, c);
  }

  /**
   * Builds the text that is embedded for a chunk: its context (title, heading path) and body.
   * Public so that tools can find a chunk's vector in the embedding cache, which is keyed by it.
   */
  public static String embedText(String title, Chunk chunk) {
    String context = context(title, chunk);
    return context.isEmpty() ? chunk.text() : context + "\n" + chunk.text();
  }

  /**
   * The context a chunk is embedded with, and that BM25 matches along with it: the document title
   * and the heading path ("Title › Section › Subsection"); empty when there is none or when the
   * chunk text already starts with its innermost heading.
   */
  static String context(String title, Chunk chunk) {
    String context = chunk.heading().isBlank() ? title : chunk.heading();
    if (!context.isBlank()
        && !title.isBlank()
        && !context.equals(title)
        && !context.startsWith(title)) {
      context = title + " › " + context;
    }
    if (context.isBlank() || chunk.text().startsWith(lastSegment(context))) {
      return "";
    }
    return context;
  }

  private static String lastSegment(String headingPath) {
    int i = headingPath.lastIndexOf(" › ");
    return i < 0 ? headingPath : headingPath.substring(i + 3);
  }

  /** State of one run. */
  private final class Run {
    private final IngestProgress progress;
    private final BlockingQueue<Pending> queue =
        new ArrayBlockingQueue<>(Math.max(16, config.documentsInFlight()));
    private final List<IngestReport.Failure> failures =
        Collections.synchronizedList(new ArrayList<>());
    private volatile Throwable fatal;

    /** Completed when a commit fails (after {@link #fatal} is set). */
    final CompletableFuture<Void> failed = new CompletableFuture<>();

    private volatile boolean closing;
    private volatile boolean aborted;

    /** Guards {@link #workers} and the setting of {@link #aborted}; never held while blocking. */
    private final ReentrantLock workersLock = new ReentrantLock();

    /** Threads running a document task right now, so that {@link #abort} can interrupt them. */
    private final Set<Thread> workers = new HashSet<>();

    Run(IngestProgress progress) {
      this.progress = progress;
    }

    boolean fatal() {
      return fatal != null;
    }

    void fail(String path, String reason) {
      failures.add(new IngestReport.Failure(path, reason));
      progress.failedDocument();
      log.debug("failed {}: {}", path, reason);
    }

    /** Why a document stopped by an abort was not written. */
    String stopReason() {
      return fatal != null ? WRITE_FAILED_EARLIER : STOPPED;
    }

    /** Whether tasks must stop: the index failed or the run was aborted. */
    boolean stopped() {
      return fatal != null || aborted;
    }

    /** Runs one document task, registered so that an abort can interrupt it. */
    void task(SourceDocument doc, String fingerprint) {
      Thread me = Thread.currentThread();
      workersLock.lock();
      try {
        if (aborted) {
          fail(doc.path(), stopReason());
          return;
        }
        workers.add(me);
      } finally {
        workersLock.unlock();
      }
      try {
        process(doc, fingerprint);
      } finally {
        workersLock.lock();
        try {
          workers.remove(me);
          if (aborted) {
            // An interrupt aimed at this task must not leak into whatever the executor's thread
            // runs next (a pooled executor reuses it).
            Thread.interrupted();
          }
        } finally {
          workersLock.unlock();
        }
      }
    }

    void process(SourceDocument doc, String fingerprint) {
      if (stopped()) {
        // Counted, so that every document of the report is written, unchanged or failed.
        fail(doc.path(), stopReason());
        return;
      }
      try {
        String hash = doc.contentHash(fingerprint);
        if (index.contentHash(doc.id()).filter(hash::equals).isPresent()) {
          progress.unchangedDocument();
          return;
        }
        ParsedDocument parsed = doc.parse();
        List<Chunk> chunks = chunker.chunk(parsed);
        if (chunks.isEmpty()) {
          fail(doc.path(), "empty document: no text to index");
          return;
        }
        var contexts = new ArrayList<String>(chunks.size());
        var texts = new ArrayList<String>(chunks.size());
        for (Chunk c : chunks) {
          String context = context(parsed.title(), c);
          contexts.add(context);
          texts.add(context.isEmpty() ? c.text() : context + "\n" + c.text());
        }
        List<float[]> vectors = model.get().embed(texts);
        if (vectors.size() != chunks.size()) {
          throw new IllegalStateException(
              "embedding model returned " + vectors.size() + " vectors for " + chunks.size());
        }
        progress.embeddedChunks(chunks.size());
        var indexed = new ArrayList<IndexedChunk>(chunks.size());
        for (int i = 0; i < chunks.size(); i++) {
          Chunk c = chunks.get(i);
          Map<String, String> meta = new HashMap<>(parsed.metadata());
          meta.put("source", doc.path());
          meta.put("title", parsed.title());
          meta.put("heading", c.heading());
          meta.put("position", Integer.toString(c.position()));
          indexed.add(
              new IndexedChunk(
                  doc.id() + "#" + c.position(),
                  c.position(),
                  c.text(),
                  vectors.get(i),
                  meta,
                  contexts.get(i)));
        }
        var pending = new Pending(new DocumentWrite(doc.id(), hash, indexed));
        // Never block for good: if the writer died, nobody will take from the queue again.
        while (!queue.offer(pending, 100, TimeUnit.MILLISECONDS)) {
          if (fatal()) {
            fail(doc.path(), WRITE_FAILED_EARLIER);
            return;
          }
          if (aborted) {
            fail(doc.path(), stopReason());
            return;
          }
        }
      } catch (SourceException e) {
        fail(doc.path(), e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail(doc.path(), aborted ? stopReason() : "interrupted before it was written");
      } catch (RuntimeException e) {
        fail(doc.path(), aborted ? stopReason() : describe(e));
      }
    }

    void writeLoop() {
      var batch = new ArrayList<Pending>();
      long nanos = config.commitInterval().toNanos();
      try {
        while (true) {
          if (aborted) {
            failQueued(stopReason());
            return;
          }
          Pending first = queue.poll(SLICE_NANOS, TimeUnit.NANOSECONDS);
          if (first == null) {
            if (closing && queue.isEmpty()) {
              return;
            }
            continue;
          }
          batch.add(first);
          long deadline = System.nanoTime() + nanos;
          while (batch.size() < config.commitDocuments()) {
            long left = deadline - System.nanoTime();
            // Wait in short slices so the last group commits as soon as every producer is done.
            Pending next =
                left > 0 ? queue.poll(Math.min(left, SLICE_NANOS), TimeUnit.NANOSECONDS) : null;
            if (next != null) {
              batch.add(next);
            } else if (left <= 0 || (closing && queue.isEmpty())) {
              break;
            }
          }
          if (aborted) {
            for (Pending p : batch) {
              fail(p.write().docId(), stopReason());
            }
            batch.clear();
            continue;
          }
          commit(batch);
          batch.clear();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        for (Pending p : batch) {
          fail(p.write().docId(), "interrupted before it was written");
        }
      } catch (RuntimeException e) {
        fatal = e;
        failed.complete(null);
        for (Pending p : batch) {
          fail(p.write().docId(), "index write failed: " + describe(e));
        }
        failQueued("index write failed: " + describe(e));
      }
    }

    /** Fails every document still queued for writing. */
    void failQueued(String reason) {
      Pending p;
      while ((p = queue.poll()) != null) {
        fail(p.write().docId(), reason);
      }
    }

    private void commit(List<Pending> batch) {
      var writes = new ArrayList<DocumentWrite>(batch.size());
      for (Pending p : batch) {
        writes.add(p.write());
      }
      index.write(writes);
      for (DocumentWrite w : writes) {
        progress.written(w.chunks().size());
      }
    }

    void finishWriting() {
      closing = true;
    }

    /**
     * Stops the run: no document is written from now on (the writer finishes a commit it has begun,
     * then fails what is queued), running tasks are interrupted, and this method returns only once
     * every task and the writer have ended. Waits without responding to interrupts (the wait is
     * short: every task is interrupted) and keeps the caller's interrupt status.
     */
    void abort(List<CompletableFuture<Void>> tasks, CompletableFuture<Void> writer) {
      workersLock.lock();
      try {
        aborted = true;
        closing = true;
        for (Thread t : workers) {
          t.interrupt();
        }
      } finally {
        workersLock.unlock();
      }
      var all = new ArrayList<CompletableFuture<?>>(tasks);
      all.add(writer);
      // join() waits without throwing InterruptedException; failures were already recorded.
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
          .exceptionally(e -> null)
          .join();
      failQueued(stopReason()); // queued after the writer stopped taking
    }

    void rethrowFatal(IngestReport partial) {
      Throwable f = fatal;
      if (f != null) {
        throw new IndexWriteException("writing the index failed: " + describe(f), f, partial);
      }
    }
  }

  private static final String STOPPED = "not written: the run stopped before this document";
  private static final String WRITE_FAILED_EARLIER =
      "not written: writing the index failed earlier in this run";

  static String describe(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }

  private record Pending(DocumentWrite write) {}

  /**
   * Unchecked wrapper for a failed index write. When the run got as far as a report, {@link
   * #report()} says what it did before the failure: its written documents and chunks are exactly
   * those of the commits that succeeded, and the documents of the failed commit are among its
   * failures.
   */
  public static final class IndexWriteException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient IngestReport report;

    IndexWriteException(String message, Throwable cause) {
      this(message, cause, null);
    }

    IndexWriteException(String message, Throwable cause, IngestReport report) {
      super(message, cause);
      this.report = report;
    }

    /** What the run did before the failure, if it got that far. */
    public Optional<IngestReport> report() {
      return Optional.ofNullable(report);
    }
  }

  /** The ingesting thread was interrupted; documents not yet committed are not in the index. */
  public static final class IngestInterruptedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    IngestInterruptedException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
