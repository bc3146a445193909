package dev.ragtime.postgres.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ragtime.chunk.Chunker;
import dev.ragtime.chunk.ChunkerConfig;
import dev.ragtime.chunk.TokenCounter;
import dev.ragtime.document.DocumentParsers;
import dev.ragtime.index.Index;
import dev.ragtime.index.LuceneCollections;
import dev.ragtime.ingest.IngestConfig;
import dev.ragtime.ingest.Ingestor;
import dev.ragtime.ingest.QueuedDocument;
import dev.ragtime.ingest.QueuedJob;
import dev.ragtime.postgres.PgDatabase;
import dev.ragtime.postgres.PgTestDatabase;
import dev.ragtime.testing.FakeEmbeddingModel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker in this process, over a real PostgreSQL queue and a Lucene index: it ingests what is
 * queued, records failures until they are dead, takes over an expired lease without writing the
 * document twice, and gives its leases back when stopped.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class QueueWorkerTest {
  @TempDir Path tmp;
  private PgTestDatabase testDb;
  private PgDatabase db;
  private LuceneCollections collections;
  private final FakeEmbeddingModel model = new FakeEmbeddingModel();
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final DocumentParsers parsers = DocumentParsers.create(1 << 20);

  @BeforeEach
  void open() {
    testDb = PgTestDatabase.create();
    db = PgDatabase.open(testDb.settings());
    collections = LuceneCollections.at(tmp);
  }

  @AfterEach
  void close() {
    executor.shutdownNow();
    if (db != null) {
      db.close();
    }
    if (testDb != null) {
      testDb.close();
    }
  }

  private QueueWorker worker(PgQueue queue, String holder, Duration lease) {
    Chunker chunker = Chunker.create(ChunkerConfig.defaults(), TokenCounter.approximate());
    return new QueueWorker(
        queue,
        new QueueWorker.Settings(holder, Optional.empty(), 4, lease, Duration.ofMillis(20), false),
        name -> collections.open(name, model.info()),
        index -> Ingestor.create(index, () -> model, chunker, IngestConfig.DEFAULT, executor),
        parsers);
  }

  private static QueuedJob awaitFinished(PgQueue q, String jobId) throws InterruptedException {
    QueuedJob job;
    while (!(job = q.job(jobId).orElseThrow()).finished()) {
      TimeUnit.MILLISECONDS.sleep(20);
    }
    return job;
  }

  @Test
  void ingestsWhatIsQueuedAndDeadLettersWhatCannotBeParsed() throws Exception {
    PgQueue q =
        new PgQueue(
            db.dataSource(), QueueConfig.DEFAULT.withMaxAttempts(2).withRetryDelay(Duration.ZERO));
    var docs = new ArrayList<QueuedDocument>();
    for (int i = 0; i < 10; i++) {
      docs.add(PgQueueTest.doc("doc" + i, "Bees and tides, note number " + i + "."));
    }
    docs.add(PgQueueTest.doc("empty", "   "));
    QueuedJob job = q.enqueue("notes", "api", docs);
    QueueWorker w = worker(q, "A", Duration.ofMinutes(1));
    var run = CompletableFuture.supplyAsync(w::run, executor);
    QueuedJob end = awaitFinished(q, job.id());
    w.stop();
    QueueWorker.Totals totals = run.get();

    assertThat(end.done()).isEqualTo(10);
    assertThat(end.dead()).isEqualTo(1);
    assertThat(end.failures())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.docId()).isEqualTo("empty");
              assertThat(f.reason())
                  .startsWith("gave up after 2 attempts: empty.txt: no text found");
            });
    assertThat(totals.done()).isEqualTo(10);
    assertThat(totals.failedAttempts()).isEqualTo(2);
    try (Index index = collections.openExisting("notes")) {
      assertThat(index.documentIds()).hasSize(10).doesNotContain("empty");
      assertThat(index.chunks("doc3"))
          .singleElement()
          .satisfies(
              h -> {
                assertThat(h.metadata()).containsEntry("team", "blue");
                assertThat(h.metadata()).containsEntry("source", "api:doc3");
              });
    }
  }

  @Test
  void aTakenOverDocumentThatWasAlreadyWrittenIsNotWrittenAgain() throws Exception {
    PgQueue q = new PgQueue(db.dataSource(), QueueConfig.DEFAULT);
    QueuedJob job = q.enqueue("notes", "api", List.of(PgQueueTest.doc("d", "Glaciers move.")));
    // A first worker writes the document, then dies before marking it done.
    ClaimedItem ghost = q.claim("ghost", Optional.empty(), 1, Duration.ofMillis(200)).get(0);
    Chunker chunker = Chunker.create(ChunkerConfig.defaults(), TokenCounter.approximate());
    try (Index index = collections.open("notes", model.info())) {
      Ingestor.create(index, () -> model, chunker, IngestConfig.DEFAULT, executor)
          .ingest(
              List.of(ghost.document().source(parsers)).iterator(),
              1,
              dev.ragtime.ingest.SourceScan.empty(),
              false,
              new dev.ragtime.ingest.IngestProgress());
    }
    int embeddedBefore = model.embeddedTexts();

    QueueWorker w = worker(q, "B", Duration.ofMinutes(1));
    var run = CompletableFuture.supplyAsync(w::run, executor);
    QueuedJob end = awaitFinished(q, job.id());
    w.stop();
    run.get();

    assertThat(end.done()).isEqualTo(1);
    assertThat(model.embeddedTexts()).as("nothing embedded again").isEqualTo(embeddedBefore);
    try (Index index = collections.openExisting("notes")) {
      assertThat(index.chunks("d")).hasSize(1);
    }
    try (var c = db.connection();
        var s = c.createStatement();
        var r = s.executeQuery("SELECT holders FROM ingest_item")) {
      r.next();
      assertThat((String[]) r.getArray(1).getArray()).containsExactly("ghost", "B");
    }
  }

  @Test
  void stopGivesTheLeasesOfTheRunningBatchBack() throws Exception {
    PgQueue q = new PgQueue(db.dataSource(), QueueConfig.DEFAULT);
    var blocked = new java.util.concurrent.CountDownLatch(1);
    var neverOpened = new java.util.concurrent.CountDownLatch(1);
    QueuedJob job = q.enqueue("notes", "api", List.of(PgQueueTest.doc("d", "text")));
    QueueWorker w =
        new QueueWorker(
            q,
            new QueueWorker.Settings(
                "A", Optional.empty(), 4, Duration.ofMinutes(1), Duration.ofMillis(20), false),
            name -> {
              blocked.countDown();
              try {
                neverOpened.await(); // the batch hangs here until stop() interrupts it
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while opening", e);
              }
              throw new AssertionError("unreachable");
            },
            index -> {
              throw new AssertionError("unreachable");
            },
            parsers);
    var run = CompletableFuture.supplyAsync(w::run, executor);
    blocked.await();
    assertThat(q.job(job.id()).orElseThrow().leased()).isEqualTo(1);
    w.stop();
    QueueWorker.Totals totals = run.get();
    assertThat(totals.released()).isEqualTo(1);
    QueuedJob after = q.job(job.id()).orElseThrow();
    assertThat(after.queued()).isEqualTo(1);
    assertThat(q.claim("B", Optional.empty(), 1, Duration.ofMinutes(1)).get(0).attempts())
        .as("a released lease is not an attempt")
        .isEqualTo(1);
  }
}
