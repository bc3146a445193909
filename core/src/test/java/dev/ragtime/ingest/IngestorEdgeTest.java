package dev.ragtime.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.ragtime.chunk.Chunker;
import dev.ragtime.chunk.ChunkerConfig;
import dev.ragtime.document.Block;
import dev.ragtime.document.ParsedDocument;
import dev.ragtime.embed.EmbeddingModel;
import dev.ragtime.embed.ModelInfo;
import dev.ragtime.index.DocumentWrite;
import dev.ragtime.index.Index;
import dev.ragtime.index.IndexedChunk;
import dev.ragtime.index.LuceneCollections;
import dev.ragtime.testing.FakeEmbeddingModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingestor's less travelled paths: duplicate ids, problems found before the run, documents that
 * break in each stage, what a written chunk carries, and how finished documents are grouped into
 * commits.
 */
class IngestorEdgeTest {
  private static final Duration LONG = Duration.ofHours(1);

  @TempDir Path tmp;
  private final FakeEmbeddingModel model = new FakeEmbeddingModel();
  private final Chunker chunker =
      Chunker.create(
          ChunkerConfig.defaults(), text -> text.isBlank() ? 0 : text.trim().split("\\s+").length);
  private ExecutorService executor;
  private Index index;
  private RecordingIndex recording;

  @BeforeEach
  void setUp() {
    executor = Executors.newVirtualThreadPerTaskExecutor();
    index = LuceneCollections.at(tmp.resolve("data")).open("default", model.info());
    recording = new RecordingIndex(index);
  }

  @AfterEach
  void tearDown() {
    executor.close();
    index.close();
  }

  private IngestReport ingest(List<SourceDocument> docs, SourceScan pre, IngestConfig config) {
    return ingest(docs.iterator(), pre, config, new IngestProgress(), () -> model);
  }

  private IngestReport ingest(
      Iterator<SourceDocument> docs,
      SourceScan pre,
      IngestConfig config,
      IngestProgress progress,
      Supplier<EmbeddingModel> m) {
    return Ingestor.create(recording, m, chunker, config, executor)
        .ingest(docs, -1, pre, false, progress);
  }

  private static IngestConfig config(int commitDocuments, Duration interval) {
    return new IngestConfig(4, commitDocuments, interval, IngestConfig.DEFAULT_MAX_FILE_BYTES);
  }

  @Test
  void aRepeatedIdIsSkippedWithItsReasonAndTheFirstDocumentIsWritten() {
    var progress = new IngestProgress();
    IngestReport r =
        ingest(
            List.of(
                    doc("d1", "Otters float."),
                    doc("d1", "Beavers build."),
                    doc("d2", "Moles dig."))
                .iterator(),
            SourceScan.empty(),
            IngestConfig.DEFAULT,
            progress,
            () -> model);

    assertThat(r.documents()).isEqualTo(2);
    assertThat(r.failed()).isEqualTo(1);
    assertThat(r.failures())
        .containsExactly(
            new IngestReport.Failure("mem#d1", "duplicate document id 'd1' in this run; skipped"));
    assertThat(progress.done()).isEqualTo(3);
    assertThat(index.documentIds()).containsExactlyInAnyOrder("d1", "d2");
    assertThat(recording.texts()).contains("Otters float.").doesNotContain("Beavers build.");
  }

  @Test
  void problemsFoundBeforeTheRunAreCountedAndListedFirst() {
    var unreadable = new IngestReport.Failure("/x/locked", "permission denied");
    var unsupported = new IngestReport.Failure("/x/a.png", "unsupported file type '.png'");
    var pre = new SourceScan(List.of(), List.of(unreadable), List.of(unsupported));
    var progress = new IngestProgress();

    IngestReport r =
        ingest(
            List.of(doc("d1", "Otters float."), broken("d2", new SourceException("bad bytes")))
                .iterator(),
            pre,
            IngestConfig.DEFAULT,
            progress,
            () -> model);

    assertThat(r.documents()).isEqualTo(3);
    assertThat(r.failed()).isEqualTo(2);
    assertThat(progress.failed()).as("the scan's failures are not the run's").isEqualTo(1);
    assertThat(r.failures())
        .containsExactly(unreadable, new IngestReport.Failure("mem#d2", "bad bytes"));
    assertThat(r.skipped()).containsExactly(unsupported);
    assertThat(r.chunks()).isEqualTo(1);
    assertThat(r.elapsed()).isPositive();
  }

  @Test
  void eachBrokenStageFailsOnlyItsDocumentWithAReadableReason() {
    IngestReport r =
        ingest(
            List.of(
                broken("no-message", new IllegalStateException()),
                broken("blank-message", new IllegalArgumentException("  ")),
                new MemDocument("empty", new ParsedDocument("", List.of(), Map.of())),
                doc("fine", "Hedgehogs hibernate.")),
            SourceScan.empty(),
            IngestConfig.DEFAULT);

    assertThat(r.failures())
        .containsExactlyInAnyOrder(
            new IngestReport.Failure("mem#no-message", "IllegalStateException"),
            new IngestReport.Failure("mem#blank-message", "IllegalArgumentException"),
            new IngestReport.Failure("mem#empty", "empty document: no text to index"));
    assertThat(index.documentIds()).containsExactly("fine");
  }

  @Test
  void aModelReturningTheWrongNumberOfVectorsFailsTheDocument() {
    EmbeddingModel short1 =
        new EmbeddingModel() {
          @Override
          public ModelInfo info() {
            return model.info();
          }

          @Override
          public List<float[]> embed(List<String> texts) {
            return List.of();
          }
        };
    var progress = new IngestProgress();
    IngestReport r =
        ingest(
            List.of(doc("d1", "Otters float.")).iterator(),
            SourceScan.empty(),
            IngestConfig.DEFAULT,
            progress,
            () -> short1);

    assertThat(r.failures())
        .containsExactly(
            new IngestReport.Failure("mem#d1", "embedding model returned 0 vectors for 1"));
    assertThat(r.embedded()).isZero();
    assertThat(recording.writes).isEmpty();
  }

  @Test
  void anErrorIsNotSwallowedAsADocumentFailure() {
    var error = new OutOfMemoryError("simulated");
    Throwable thrown =
        catchThrowable(
            () ->
                ingest(List.of(brokenWith("d1", error)), SourceScan.empty(), IngestConfig.DEFAULT));
    assertThat(thrown).isSameAs(error);
  }

  @Test
  void aWrittenChunkCarriesItsIdContextMetadataAndTheContentHash() {
    var parsed =
        new ParsedDocument(
            "Volcanoes",
            List.of(Block.paragraph("Seismometers warn early.")),
            Map.of("type", "md"));
    var doc = new MemDocument("v.md", parsed);
    var progress = new IngestProgress();

    ingest(
        List.of((SourceDocument) doc).iterator(),
        SourceScan.empty(),
        IngestConfig.DEFAULT,
        progress,
        () -> model);

    DocumentWrite w = recording.writes.getFirst().getFirst();
    String fingerprint =
        Ingestor.FORMAT_VERSION + "|" + chunker.fingerprint() + "|" + model.info().fingerprint();
    assertThat(w.docId()).isEqualTo("v.md");
    assertThat(w.contentHash()).isEqualTo(doc.contentHash(fingerprint));
    IndexedChunk c = w.chunks().getFirst();
    assertThat(c.chunkId()).isEqualTo("v.md#0");
    assertThat(c.position()).isZero();
    assertThat(c.text()).isEqualTo("Seismometers warn early.");
    assertThat(c.context())
        .as("the title, which the text does not start with")
        .isEqualTo("Volcanoes");
    assertThat(c.metadata())
        .containsEntry("type", "md")
        .containsEntry("source", "mem#v.md")
        .containsEntry("title", "Volcanoes")
        .containsEntry("heading", "")
        .containsEntry("position", "0");
    assertThat(c.vector()).containsExactly(model.vectorOf("Volcanoes\nSeismometers warn early."));
    assertThat(progress.embedded()).isEqualTo(w.chunks().size());
    assertThat(progress.chunks()).isEqualTo(w.chunks().size());
  }

  @Test
  void aCommitHoldsAtMostCommitDocuments() {
    var docs = new ArrayList<SourceDocument>();
    for (int i = 0; i < 7; i++) {
      docs.add(doc("d" + i, "Document " + i + " about owls."));
    }

    IngestReport r = ingest(docs, SourceScan.empty(), config(3, LONG));

    // The interval never runs out, so a group closes only when full or when the run ends.
    assertThat(recording.sizes()).containsExactly(3, 3, 1);
    assertThat(r.chunks()).isEqualTo(7);
    assertThat(index.documentIds()).hasSize(7);
  }

  @Test
  void withALongIntervalTheRunIsOneCommitThatEndsWithTheLastDocument() {
    var docs = new ArrayList<SourceDocument>();
    for (int i = 0; i < 7; i++) {
      docs.add(doc("d" + i, "Document " + i + " about owls."));
    }

    ingest(docs, SourceScan.empty(), config(100, LONG));

    assertThat(recording.sizes()).containsExactly(7);
  }

  @Test
  void aFinishedDocumentIsCommittedWithinTheIntervalWhileTheSourceIsStillOpen() throws Exception {
    var firstCommit = new CountDownLatch(1);
    recording.onWrite = firstCommit::countDown;
    var docs = List.of(doc("early", "Early bird."), doc("late", "Late owl."));
    Iterator<SourceDocument> source =
        new Iterator<>() {
          int next;

          @Override
          public boolean hasNext() {
            if (next == 1) {
              // The second document comes only once the first has been committed on its own.
              try {
                firstCommit.await(60, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            return next < docs.size();
          }

          @Override
          public SourceDocument next() {
            return docs.get(next++);
          }
        };

    ingest(
        source,
        SourceScan.empty(),
        config(100, Duration.ofMillis(5)),
        new IngestProgress(),
        () -> model);

    assertThat(recording.sizes()).containsExactly(1, 1);
    assertThat(recording.writes.getFirst().getFirst().docId()).isEqualTo("early");
  }

  @Test
  void aFailedCommitPrunesNothing() {
    ingest(List.of(doc("old", "Old text.")), SourceScan.empty(), IngestConfig.DEFAULT);
    var failing =
        new ForwardingIndex(index) {
          @Override
          public void write(List<DocumentWrite> documents) {
            throw new UncheckedIOException(new IOException("disk full"));
          }

          @Override
          public Set<String> delete(Set<String> docIds) {
            throw new AssertionError("pruned after a failed commit: " + docIds);
          }
        };

    Throwable thrown =
        catchThrowable(
            () ->
                Ingestor.create(failing, () -> model, chunker, IngestConfig.DEFAULT, executor)
                    .ingest(
                        List.of(doc("new", "New text.")).iterator(),
                        1,
                        SourceScan.empty(),
                        true,
                        new IngestProgress()));

    assertThat(thrown)
        .isInstanceOf(Ingestor.IndexWriteException.class)
        .hasMessage("writing the index failed: java.io.IOException: disk full");
    assertThat(((Ingestor.IndexWriteException) thrown).report().orElseThrow().pruned()).isZero();
    assertThat(index.documentIds()).containsExactly("old");
  }

  // ---------------------------------------------------------------------------------------------

  private static SourceDocument doc(String id, String text) {
    return new MemDocument(id, new ParsedDocument("", List.of(Block.paragraph(text)), Map.of()));
  }

  private static SourceDocument broken(String id, RuntimeException e) {
    return brokenWith(id, e);
  }

  private static SourceDocument brokenWith(String id, Throwable t) {
    return new MemDocument(id, null) {
      @Override
      public ParsedDocument parse() {
        if (t instanceof RuntimeException r) {
          throw r;
        }
        throw (Error) t;
      }
    };
  }

  /** A document held in memory; its hash is its text, so a changed text is a changed document. */
  private static class MemDocument implements SourceDocument {
    private final String id;
    private final ParsedDocument parsed;

    MemDocument(String id, ParsedDocument parsed) {
      this.id = id;
      this.parsed = parsed;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public String path() {
      return "mem#" + id;
    }

    @Override
    public String contentHash(String fingerprint) {
      return (parsed == null ? "broken" : parsed.plainText()) + "|" + fingerprint;
    }

    @Override
    public ParsedDocument parse() {
      return parsed;
    }
  }

  /** Records every commit (the documents of each write call) before passing it on. */
  private static final class RecordingIndex extends ForwardingIndex {
    final List<List<DocumentWrite>> writes = Collections.synchronizedList(new ArrayList<>());
    volatile Runnable onWrite = () -> {};

    RecordingIndex(Index delegate) {
      super(delegate);
    }

    @Override
    public void write(List<DocumentWrite> documents) {
      delegate.write(documents);
      writes.add(List.copyOf(documents));
      onWrite.run();
    }

    List<Integer> sizes() {
      return writes.stream().map(List::size).toList();
    }

    List<String> texts() {
      return writes.stream()
          .flatMap(List::stream)
          .flatMap(w -> w.chunks().stream())
          .map(IndexedChunk::text)
          .toList();
    }
  }

  @Test
  void theInnermostHeadingIsWhatFollowsTheLastSeparatorOfThePath() {
    var startsWithSection =
        new dev.ragtime.chunk.Chunk(0, "Eruptions\n\nLava flows.", "Volcanoes › Eruptions", 3);
    assertThat(Ingestor.context("Volcanoes", startsWithSection))
        .as("the text starts with its own heading")
        .isEmpty();
    var pathWithoutTitle = new dev.ragtime.chunk.Chunk(0, "Eruptions: lava.", " › Eruptions", 2);
    assertThat(Ingestor.context("", pathWithoutTitle)).isEmpty();
    var other = new dev.ragtime.chunk.Chunk(0, "Lava flows.", "Volcanoes › Eruptions", 2);
    assertThat(Ingestor.context("Volcanoes", other)).isEqualTo("Volcanoes › Eruptions");
    assertThat(Ingestor.context("Geology", other)).isEqualTo("Geology › Volcanoes › Eruptions");
  }
}
