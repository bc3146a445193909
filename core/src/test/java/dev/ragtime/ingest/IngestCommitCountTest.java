package dev.ragtime.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ragtime.chunk.Chunker;
import dev.ragtime.chunk.ChunkerConfig;
import dev.ragtime.document.CorpusRecord;
import dev.ragtime.document.ParsedDocument;
import dev.ragtime.index.DocumentWrite;
import dev.ragtime.index.Index;
import dev.ragtime.index.IndexStats;
import dev.ragtime.index.LuceneCollections;
import dev.ragtime.testing.FakeEmbeddingModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A document counts as written only after its commit returned. Checked against an independent
 * reader of the collection's last durable commit ({@link LuceneCollections#stats}): at the start of
 * every commit the progress counters are not ahead of it, and after a commit fails the report and
 * the counters say exactly what that reader sees.
 */
class IngestCommitCountTest {
  private static final int DOCUMENTS = 40;

  @TempDir Path tmp;
  private final FakeEmbeddingModel model = new FakeEmbeddingModel();
  private final Chunker chunker =
      Chunker.create(
          ChunkerConfig.defaults(), text -> text.isBlank() ? 0 : text.trim().split("\\s+").length);
  private ExecutorService executor;
  private LuceneCollections collections;
  private Index index;

  @BeforeEach
  void setUp() {
    executor = Executors.newVirtualThreadPerTaskExecutor();
    collections = LuceneCollections.at(tmp.resolve("data"));
    index = collections.open("default", model.info());
  }

  @AfterEach
  void tearDown() {
    executor.close();
    index.close();
  }

  @Test
  void afterAFailingCommitTheReportAndProgressSayExactlyWhatIsCommitted() {
    var progress = new IngestProgress();
    var failing = new CheckingIndex(index, 3, progress);
    var config = new IngestConfig(4, 3, Duration.ofMillis(5), IngestConfig.DEFAULT_MAX_FILE_BYTES);
    var ingestor = Ingestor.create(failing, () -> model, chunker, config, executor);

    var e =
        catchThrowableOfType(
            Ingestor.IndexWriteException.class,
            () ->
                ingestor.ingest(
                    documents().iterator(), DOCUMENTS, SourceScan.empty(), false, progress));

    assertThat(e).hasMessageContaining("disk full");
    assertThat(failing.aheadOfTheIndex).as("progress ahead of the committed index").isEmpty();
    assertThat(failing.writes.get()).as("commits tried").isGreaterThan(3);

    IndexStats committed = collections.stats("default");
    assertThat(committed.documents()).isPositive();
    IngestReport report = e.report().orElseThrow();
    assertThat(report.chunks()).isEqualTo(committed.chunks());
    assertThat(progress.chunks()).isEqualTo(committed.chunks());
    assertThat(report.documents() - report.failed() - report.unchanged())
        .as("documents reported written")
        .isEqualTo(committed.documents());
    assertThat(progress.done() - progress.failed() - progress.unchanged())
        .isEqualTo(committed.documents());
    // Every document the run took is accounted for: written, or failed with its reason.
    assertThat(report.failed()).isEqualTo(report.failures().size());
    assertThat(report.failures())
        .extracting(IngestReport.Failure::reason)
        .allMatch(
            reason ->
                (reason.startsWith("index write failed:") && reason.contains("disk full"))
                    || reason.startsWith("not written: writing the index failed earlier"));
  }

  @Test
  void whenEveryCommitSucceedsTheCountsMatchTheIndexAtEveryCommit() {
    var progress = new IngestProgress();
    var checking = new CheckingIndex(index, Integer.MAX_VALUE, progress);
    var config = new IngestConfig(4, 3, Duration.ofMillis(5), IngestConfig.DEFAULT_MAX_FILE_BYTES);

    IngestReport report =
        Ingestor.create(checking, () -> model, chunker, config, executor)
            .ingest(documents().iterator(), DOCUMENTS, SourceScan.empty(), false, progress);

    assertThat(checking.aheadOfTheIndex).isEmpty();
    IndexStats committed = collections.stats("default");
    assertThat(committed.documents()).isEqualTo(DOCUMENTS);
    assertThat(report.chunks()).isEqualTo(committed.chunks());
    assertThat(report.failed()).isZero();
  }

  private static List<SourceDocument> documents() {
    var docs = new ArrayList<SourceDocument>();
    for (int i = 0; i < DOCUMENTS; i++) {
      var record = new CorpusRecord("d" + i, "Title " + i, "Geysers erupt " + i + " times a day.");
      docs.add(
          new SourceDocument() {
            @Override
            public String id() {
              return record.id();
            }

            @Override
            public String path() {
              return "corpus#" + record.id();
            }

            @Override
            public String contentHash(String fingerprint) {
              return record.id() + "|" + fingerprint;
            }

            @Override
            public ParsedDocument parse() {
              return record.toDocument();
            }
          });
    }
    return docs;
  }

  /**
   * Before each commit, checks that the progress counters are not ahead of the last durable commit;
   * lets {@code allowed} commits through, then fails every commit as a full disk would.
   */
  private final class CheckingIndex extends ForwardingIndex {
    private final int allowed;
    private final IngestProgress progress;
    final AtomicInteger writes = new AtomicInteger();
    final List<String> aheadOfTheIndex = Collections.synchronizedList(new ArrayList<>());

    CheckingIndex(Index delegate, int allowed, IngestProgress progress) {
      super(delegate);
      this.allowed = allowed;
      this.progress = progress;
    }

    @Override
    public void write(List<DocumentWrite> documents) {
      IndexStats durable = collections.stats("default");
      long written = progress.done() - progress.failed() - progress.unchanged();
      if (progress.chunks() != durable.chunks() || written != durable.documents()) {
        aheadOfTheIndex.add(
            "before commit "
                + writes.get()
                + ": progress says "
                + written
                + " documents / "
                + progress.chunks()
                + " chunks, the index holds "
                + durable);
      }
      if (writes.getAndIncrement() >= allowed) {
        throw new UncheckedIOException(new IOException("disk full"));
      }
      delegate.write(documents);
    }
  }
}
