package dev.ragtime.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.ragtime.chunk.Chunker;
import dev.ragtime.chunk.ChunkerConfig;
import dev.ragtime.document.DocumentException;
import dev.ragtime.document.JsonlCorpus;
import dev.ragtime.embed.EmbeddingModel;
import dev.ragtime.embed.ModelInfo;
import dev.ragtime.index.Index;
import dev.ragtime.index.LuceneCollections;
import dev.ragtime.testing.FakeEmbeddingModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run that ends early (a truncated corpus, an interrupt) leaves nothing of itself running: every
 * document task and the writer loop have ended when {@link Ingestor#ingest} throws, and the index
 * does not change afterwards. Documents are held inside the embedding model on a latch that only an
 * interrupt releases, so a task the ingestor forgot stays visible instead of finishing by chance.
 */
class IngestorAbortTest {
  private static final int HELD = 4;

  @TempDir Path tmp;
  private ExecutorService executor;
  private Index index;
  private final HoldingModel model = new HoldingModel();
  private final Chunker chunker =
      Chunker.create(
          ChunkerConfig.defaults(), text -> text.isBlank() ? 0 : text.trim().split("\\s+").length);

  @BeforeEach
  void setUp() {
    executor = Executors.newVirtualThreadPerTaskExecutor();
    index = LuceneCollections.at(tmp.resolve("data")).open("default", model.info());
  }

  @AfterEach
  void tearDown() {
    // shutdownNow, not close(): on a regression the leaked writer loop would make close() wait
    // forever and hide the assertion that failed.
    executor.shutdownNow();
    index.close();
  }

  @Test
  void aTruncatedGzipCorpusEndsTheRunWithAClearErrorAndNothingLeftRunning() throws Exception {
    Path corpus = truncatedGzipCorpus(400);
    var config = new IngestConfig(64, 8, Duration.ofMillis(5), IngestConfig.DEFAULT_MAX_FILE_BYTES);
    var ingestor = Ingestor.create(index, () -> model, chunker, config, executor);
    var progress = new IngestProgress();

    try (JsonlCorpus c = JsonlCorpus.open(corpus)) {
      // The corpus goes on only once the held documents are inside the model, so the truncation
      // is always met while tasks are in flight.
      Iterator<SourceDocument> sources =
          gateAfter(CorpusSources.of(c, "corpus.jsonl.gz"), HELD, model.entered);
      assertTimeoutPreemptively(
          Duration.ofSeconds(60), // a guard against a hang, not a bet on speed
          () ->
              assertThatThrownBy(
                      () -> ingestor.ingest(sources, -1, SourceScan.empty(), false, progress))
                  .isInstanceOf(DocumentException.class)
                  .hasMessageContaining("corpus.jsonl.gz")
                  .satisfies(
                      e ->
                          assertThat(((DocumentException) e).reason())
                              .isEqualTo(DocumentException.Reason.CORRUPT)));
    }

    // No document task is left inside the model, none entered it after the run ended.
    assertThat(model.inside.get()).as("tasks still inside the model").isZero();
    int calls = model.calls.get();
    long documents = index.stats().documents();
    long done = progress.done();
    // Nothing of the run is left on the executor: with every task and the writer ended, it
    // terminates at once after shutdown (the bound only guards against a hang).
    executor.shutdown();
    assertThat(executor.awaitTermination(60, TimeUnit.SECONDS)).as("executor idle").isTrue();
    assertThat(model.calls.get()).isEqualTo(calls);
    assertThat(index.stats().documents()).isEqualTo(documents);
    assertThat(progress.done()).isEqualTo(done);
    // The held documents were never written; what was committed before the error stays.
    assertThat(index.documentIds()).doesNotContain("hold-0", "hold-1", "hold-2", "hold-3");
    assertThat(progress.chunks()).isEqualTo(index.stats().chunks());
  }

  @Test
  void anInterruptedRunStopsItsTasksBeforeThrowing() throws Exception {
    var config =
        new IngestConfig(HELD, 8, Duration.ofMillis(5), IngestConfig.DEFAULT_MAX_FILE_BYTES);
    var ingestor = Ingestor.create(index, () -> model, chunker, config, executor);
    Iterator<SourceDocument> sources = records(HELD + 10).iterator();
    var thrown = new AtomicReference<Throwable>();
    var stillInterrupted = new AtomicReference<Boolean>();
    Thread caller =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    ingestor.ingest(sources, -1, SourceScan.empty(), false, new IngestProgress());
                  } catch (Throwable t) {
                    thrown.set(t);
                  }
                  stillInterrupted.set(Thread.currentThread().isInterrupted());
                });
    // Every permit is taken by a held document, so the caller waits for a permit.
    model.entered.await();
    caller.interrupt();
    caller.join(Duration.ofSeconds(60)); // a guard against a hang
    assertThat(caller.isAlive()).isFalse();

    assertThat(thrown.get()).isInstanceOf(Ingestor.IngestInterruptedException.class);
    assertThat(stillInterrupted.get()).as("interrupt status kept").isTrue();
    assertThat(model.inside.get()).as("tasks still inside the model").isZero();
    executor.shutdown();
    assertThat(executor.awaitTermination(60, TimeUnit.SECONDS)).as("executor idle").isTrue();
    assertThat(index.documentIds()).isEmpty();
  }

  @Test
  void anAbortedTaskLeavesNoInterruptBehindOnTheExecutorsThread() throws Exception {
    // Unlike ThreadPoolExecutor, this executor does not clear a thread's interrupt between tasks,
    // so an interrupt the ingestor aimed at a task and left set shows at the thread's next take().
    var queue = new java.util.concurrent.LinkedBlockingQueue<Runnable>();
    var leaked = new java.util.concurrent.ConcurrentLinkedQueue<String>();
    var threads = new java.util.ArrayList<Thread>();
    Runnable stop = () -> {};
    for (int i = 0; i <= HELD; i++) {
      threads.add(
          Thread.ofPlatform()
              .name("plain-" + i)
              .start(
                  () -> {
                    while (true) {
                      Runnable r;
                      try {
                        r = queue.take();
                      } catch (InterruptedException e) {
                        leaked.add(Thread.currentThread().getName());
                        return;
                      }
                      if (r == stop) {
                        return;
                      }
                      r.run();
                    }
                  }));
    }
    var config =
        new IngestConfig(HELD, 8, Duration.ofMillis(5), IngestConfig.DEFAULT_MAX_FILE_BYTES);
    var ingestor = Ingestor.create(index, () -> model, chunker, config, queue::add);
    var thrown = new AtomicReference<Throwable>();
    Thread caller =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    ingestor.ingest(
                        records(HELD + 2).iterator(),
                        -1,
                        SourceScan.empty(),
                        false,
                        new IngestProgress());
                  } catch (Throwable t) {
                    thrown.set(t);
                  }
                });
    model.entered.await();
    caller.interrupt();
    caller.join(Duration.ofSeconds(60)); // a guard against a hang
    for (int i = 0; i < threads.size(); i++) {
      queue.add(stop);
    }
    for (Thread t : threads) {
      t.join(Duration.ofSeconds(60));
    }

    assertThat(thrown.get()).isInstanceOf(Ingestor.IngestInterruptedException.class);
    assertThat(threads).noneMatch(Thread::isAlive);
    assertThat(leaked).as("threads left interrupted by the run").isEmpty();
  }

  @Test
  void aFailedCommitStopsTheDocumentsStillBeingEmbedded() throws Exception {
    var config = new IngestConfig(8, 3, Duration.ofMillis(5), IngestConfig.DEFAULT_MAX_FILE_BYTES);
    // Every commit fails; the held documents would never finish embedding on their own.
    Index failing =
        new dev.ragtime.index.Index() {
          @Override
          public void write(List<dev.ragtime.index.DocumentWrite> documents) {
            throw new java.io.UncheckedIOException(new IOException("disk full"));
          }

          @Override
          public String name() {
            return index.name();
          }

          @Override
          public ModelInfo model() {
            return index.model();
          }

          @Override
          public String reindexAdvice() {
            return index.reindexAdvice();
          }

          @Override
          public java.util.Optional<String> contentHash(String docId) {
            return index.contentHash(docId);
          }

          @Override
          public List<dev.ragtime.index.Hit> chunks(String docId) {
            return index.chunks(docId);
          }

          @Override
          public java.util.Set<String> documentIds() {
            return index.documentIds();
          }

          @Override
          public java.util.Set<String> delete(java.util.Set<String> docIds) {
            return index.delete(docIds);
          }

          @Override
          public dev.ragtime.index.IndexSnapshot snapshot() {
            return index.snapshot();
          }

          @Override
          public dev.ragtime.index.IndexStats stats() {
            return index.stats();
          }

          @Override
          public void close() {}
        };
    var ingestor = Ingestor.create(failing, () -> model, chunker, config, executor);
    // Held documents first, then ordinary ones: those reach the writer, whose commit fails.
    Iterator<SourceDocument> sources = records(HELD + 3).iterator();
    var progress = new IngestProgress();

    assertTimeoutPreemptively(
        Duration.ofSeconds(60), // a guard against a hang, not a bet on speed
        () ->
            assertThatThrownBy(
                    () -> ingestor.ingest(sources, -1, SourceScan.empty(), false, progress))
                .isInstanceOf(Ingestor.IndexWriteException.class)
                .hasMessageContaining("disk full"));

    assertThat(model.inside.get()).as("tasks still inside the model").isZero();
    assertThat(progress.failed()).as("every document failed").isEqualTo(HELD + 3);
    executor.shutdown();
    assertThat(executor.awaitTermination(60, TimeUnit.SECONDS)).as("executor idle").isTrue();
  }

  /** HELD held records, then fillers. */
  private static List<SourceDocument> records(int count) {
    var docs = new java.util.ArrayList<SourceDocument>();
    for (int i = 0; i < count; i++) {
      String id = i < HELD ? "hold-" + i : "doc-" + i;
      String text = (i < HELD ? "hold " : "") + "record " + i + " about pumice and basalt";
      docs.add(
          new SourceDocument() {
            @Override
            public String id() {
              return id;
            }

            @Override
            public String path() {
              return "records#" + id;
            }

            @Override
            public String contentHash(String fingerprint) {
              return id + "|" + fingerprint;
            }

            @Override
            public dev.ragtime.document.ParsedDocument parse() {
              return new dev.ragtime.document.CorpusRecord(id, "", text).toDocument();
            }
          });
    }
    return docs;
  }

  /**
   * A gzip corpus whose first {@link #HELD} records are held by the model, followed by {@code
   * fillers} ordinary ones, cut off in the middle of its compressed bytes.
   */
  private Path truncatedGzipCorpus(int fillers) throws IOException {
    var bytes = new ByteArrayOutputStream();
    try (Writer w = new OutputStreamWriter(new GZIPOutputStream(bytes), StandardCharsets.UTF_8)) {
      for (int i = 0; i < HELD; i++) {
        w.write("{\"_id\":\"hold-" + i + "\",\"title\":\"\",\"text\":\"hold record " + i + "\"}\n");
      }
      var random = new java.util.Random(8);
      for (int i = 0; i < fillers; i++) {
        w.write("{\"_id\":\"doc-" + i + "\",\"title\":\"\",\"text\":\"filler " + i);
        for (int word = 0; word < 12; word++) {
          w.write(" w" + Integer.toString(random.nextInt(1 << 20), 36));
        }
        w.write("\"}\n");
      }
    }
    byte[] whole = bytes.toByteArray();
    Path file = tmp.resolve("corpus.jsonl.gz");
    Files.write(file, Arrays.copyOf(whole, whole.length / 2));
    return file;
  }

  /** Yields {@code before} items, then waits for {@code gate} before yielding the rest. */
  private static Iterator<SourceDocument> gateAfter(
      Iterator<SourceDocument> inner, int before, CountDownLatch gate) {
    return new Iterator<>() {
      private int yielded;

      @Override
      public boolean hasNext() {
        if (yielded == before) {
          try {
            gate.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
          }
        }
        return inner.hasNext();
      }

      @Override
      public SourceDocument next() {
        yielded++;
        return inner.next();
      }
    };
  }

  /**
   * Embeds with {@link FakeEmbeddingModel}, except texts containing "hold": those wait until their
   * thread is interrupted, then fail.
   */
  private static final class HoldingModel implements EmbeddingModel {
    private final FakeEmbeddingModel fake = new FakeEmbeddingModel();
    final CountDownLatch entered = new CountDownLatch(HELD);
    final AtomicInteger inside = new AtomicInteger();
    final AtomicInteger calls = new AtomicInteger();
    private final CountDownLatch never = new CountDownLatch(1);

    @Override
    public ModelInfo info() {
      return fake.info();
    }

    @Override
    public List<float[]> embed(List<String> texts) {
      calls.incrementAndGet();
      if (texts.stream().anyMatch(t -> t.contains("hold"))) {
        inside.incrementAndGet();
        try {
          entered.countDown();
          never.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("embedding interrupted", e);
        } finally {
          inside.decrementAndGet();
        }
      }
      return fake.embed(texts);
    }
  }
}
