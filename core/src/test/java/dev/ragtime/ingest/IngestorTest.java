package dev.ragtime.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.ragtime.chunk.Chunker;
import dev.ragtime.chunk.ChunkerConfig;
import dev.ragtime.chunk.TokenCounter;
import dev.ragtime.document.DocumentParsers;
import dev.ragtime.document.JsonlCorpus;
import dev.ragtime.embed.EmbeddingModel;
import dev.ragtime.embed.ModelInfo;
import dev.ragtime.index.DocumentWrite;
import dev.ragtime.index.Hit;
import dev.ragtime.index.Index;
import dev.ragtime.index.LuceneCollections;
import dev.ragtime.search.SearchConfig;
import dev.ragtime.search.SearchMode;
import dev.ragtime.search.SearchRequest;
import dev.ragtime.search.Searcher;
import dev.ragtime.testing.FakeEmbeddingModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IngestorTest {
  @TempDir Path tmp;
  private Path docs;
  private ExecutorService executor;
  private Index index;
  private final FakeEmbeddingModel model = new FakeEmbeddingModel();
  private final DocumentParsers parsers = DocumentParsers.create();
  private final Chunker chunker = Chunker.create(ChunkerConfig.defaults(), words());

  @BeforeEach
  void setUp() throws IOException {
    docs = Files.createDirectories(tmp.resolve("docs"));
    executor = Executors.newVirtualThreadPerTaskExecutor();
    index = LuceneCollections.at(tmp.resolve("data")).open("default", model.info());
  }

  @AfterEach
  void tearDown() {
    index.close();
    executor.close();
  }

  private static TokenCounter words() {
    return text -> text.isBlank() ? 0 : text.trim().split("\\s+").length;
  }

  private IngestReport ingest(EmbeddingModel m, boolean prune) {
    return ingest(m, prune, IngestConfig.DEFAULT);
  }

  private IngestReport ingest(EmbeddingModel m, boolean prune, IngestConfig config) {
    SourceScan scan = FileSources.scan(List.of(docs), parsers);
    return Ingestor.create(index, () -> m, chunker, config, executor)
        .ingest(
            scan.documents().iterator(),
            scan.documents().size(),
            scan,
            prune,
            new IngestProgress());
  }

  private void write(String name, String content) throws IOException {
    Path p = docs.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content, StandardCharsets.UTF_8);
  }

  private List<Hit> bm25(String query) {
    return Searcher.create(index, model, SearchConfig.DEFAULT)
        .search(new SearchRequest(query, 10, SearchMode.BM25, Map.of()))
        .hits();
  }

  private void mixedFolder() throws IOException {
    write("volcanoes.md", "# Volcanoes\n\nMagma rises through vents and erupts as lava.\n");
    write("bread/sourdough.txt", "Sourdough rises because wild yeast ferments the dough.\n");
    write(
        "chess.html",
        "<html><head><title>Chess</title><script>var zebra=1;</script></head>"
            + "<body><p>The Sicilian Defence answers e4 with c5.</p></body></html>");
    Files.write(docs.resolve("broken.pdf"), "%PDF-1.7 not really".getBytes(StandardCharsets.UTF_8));
    Files.write(docs.resolve("image.png"), new byte[] {1, 2, 3});
    write(".hidden/secret.txt", "never ingested");
  }

  @Test
  void ingestsSupportedFilesAndReportsBrokenAndUnsupportedOnes() throws IOException {
    mixedFolder();
    IngestReport r = ingest(model, false);

    assertThat(r.documents()).isEqualTo(4);
    assertThat(r.failed()).isEqualTo(1);
    assertThat(r.failures())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.path()).endsWith("broken.pdf");
              assertThat(f.reason()).isNotBlank();
            });
    assertThat(r.skipped())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.path()).endsWith("image.png");
              assertThat(f.reason()).contains("unsupported file type '.png'");
            });
    assertThat(r.chunks()).isEqualTo(3);
    assertThat(r.embedded()).isEqualTo(3);
    assertThat(index.documentIds())
        .containsExactlyInAnyOrder("volcanoes.md", "bread/sourdough.txt", "chess.html");
    assertThat(bm25("lava magma")).first().extracting(Hit::docId).isEqualTo("volcanoes.md");
    assertThat(bm25("zebra")).isEmpty();
    Hit h = bm25("yeast").get(0);
    assertThat(h.metadata())
        .containsEntry("type", "txt")
        .containsEntry("position", "0")
        .containsEntry("source", docs.resolve("bread/sourdough.txt").toAbsolutePath().toString());
  }

  @Test
  void progressCountsWhatTheReportSaysOnAFirstAndAnUnchangedRun() throws IOException {
    mixedFolder(); // 4 supported files (one a broken PDF), a PNG and a hidden file
    SourceScan scan = FileSources.scan(List.of(docs), parsers);
    var first = new IngestProgress();
    IngestReport r =
        Ingestor.create(index, () -> model, chunker, IngestConfig.DEFAULT, executor)
            .ingest(scan.documents().iterator(), scan.documents().size(), scan, false, first);
    assertThat(r.documents()).isEqualTo(4);
    assertThat(first.total()).isEqualTo(4);
    assertThat(first.done()).isEqualTo(4);
    assertThat(first.chunks()).isEqualTo(3).isEqualTo(r.chunks());
    assertThat(first.embedded()).isEqualTo(3).isEqualTo(r.embedded());
    assertThat(first.unchanged()).isZero();
    assertThat(first.failed()).isEqualTo(1).isEqualTo(r.failed());

    var again = new IngestProgress();
    IngestReport second =
        Ingestor.create(index, () -> model, chunker, IngestConfig.DEFAULT, executor)
            .ingest(scan.documents().iterator(), scan.documents().size(), scan, false, again);
    assertThat(again.done()).isEqualTo(4);
    assertThat(again.unchanged()).isEqualTo(3).isEqualTo(second.unchanged());
    assertThat(again.chunks()).isZero();
    assertThat(again.embedded()).isZero();
    assertThat(again.failed()).isEqualTo(1);
  }

  @Test
  void reingestOfUnchangedFilesEmbedsNothing() throws IOException {
    mixedFolder();
    ingest(model, false);
    int textsBefore = model.embeddedTexts();

    var failing = new FailingModel(model.info(), "");
    IngestReport r = ingest(failing, false);

    assertThat(r.unchanged()).isEqualTo(3);
    assertThat(r.embedded()).isZero();
    assertThat(r.chunks()).isZero();
    assertThat(failing.called.get()).isFalse();
    assertThat(model.embeddedTexts()).isEqualTo(textsBefore);
  }

  @Test
  void changedDocumentReplacesAllItsOldChunks() throws IOException {
    var longText = new StringBuilder("# Long\n\n");
    for (int i = 0; i < 40; i++) {
      longText
          .append("Paragraph ")
          .append(i)
          .append(" talks about alpaca wool number ")
          .append(i)
          .append(" in some detail so that it takes room.\n\n");
    }
    write("a.md", longText.toString());
    write("b.txt", "Bees make honey.");
    ingest(model, false);
    long chunksBefore = index.stats().chunks();
    assertThat(chunksBefore).isGreaterThan(3);

    write("a.md", "# Short\n\nNow only llamas.");
    IngestReport r = ingest(model, false);

    assertThat(r.unchanged()).isEqualTo(1);
    assertThat(r.chunks()).isEqualTo(1);
    assertThat(index.stats().chunks()).isEqualTo(2);
    assertThat(bm25("alpaca")).isEmpty();
    assertThat(bm25("llamas")).extracting(Hit::docId).containsExactly("a.md");
  }

  @Test
  void vanishedDocumentsStayUnlessPruned() throws IOException {
    write("keep.txt", "Kept document about owls.");
    write("gone.txt", "Document about ferrets that will vanish.");
    ingest(model, false);
    Files.delete(docs.resolve("gone.txt"));

    ingest(model, false);
    assertThat(index.documentIds()).contains("gone.txt");

    IngestReport r = ingest(model, true);
    assertThat(r.pruned()).isEqualTo(1);
    assertThat(index.documentIds()).containsExactly("keep.txt");
  }

  @Test
  void documentWhoseEmbeddingFailsKeepsItsPreviousVersionAndIsRetriedNextRun() throws IOException {
    write("a.txt", "Original text about herons.");
    write("b.txt", "Text about kingfishers.");
    ingest(model, false);

    write("a.txt", "POISON new text about egrets.");
    write("b.txt", "New text about puffins.");
    IngestReport r = ingest(new FailingModel(model.info(), "POISON"), false);

    assertThat(r.failed()).isEqualTo(1);
    assertThat(r.failures())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.path()).endsWith("a.txt");
              assertThat(f.reason()).contains("provider rejected");
            });
    assertThat(bm25("herons")).extracting(Hit::docId).containsExactly("a.txt");
    assertThat(bm25("egrets")).isEmpty();
    assertThat(bm25("puffins")).extracting(Hit::docId).containsExactly("b.txt");

    IngestReport again = ingest(model, false);
    assertThat(again.unchanged()).isEqualTo(1);
    assertThat(again.chunks()).isEqualTo(1);
    assertThat(bm25("egrets")).extracting(Hit::docId).containsExactly("a.txt");
  }

  @Test
  void manyDocumentsWithSmallBoundsAreAllIngestedOnce() throws IOException {
    for (int i = 0; i < 120; i++) {
      write("d" + i + ".txt", "Document number " + i + " mentions token" + i + " once.");
    }
    var config = new IngestConfig(3, 7, Duration.ofMillis(50), IngestConfig.DEFAULT_MAX_FILE_BYTES);
    var progress = new IngestProgress();
    SourceScan scan = FileSources.scan(List.of(docs), parsers);
    IngestReport r =
        Ingestor.create(index, () -> model, chunker, config, executor)
            .ingest(scan.documents().iterator(), scan.documents().size(), scan, false, progress);

    assertThat(r.documents()).isEqualTo(120);
    assertThat(r.chunks()).isEqualTo(120);
    assertThat(r.failed()).isZero();
    assertThat(progress.done()).isEqualTo(120);
    assertThat(progress.total()).isEqualTo(120);
    assertThat(index.stats().documents()).isEqualTo(120);
    assertThat(bm25("token77")).extracting(Hit::docId).containsExactly("d77.txt");
  }

  @Test
  void concurrentSearchesDuringReingestionSeeOneVersionOfEachDocument() throws Exception {
    int docCount = 40;
    writeVersioned(docCount, "alpha");
    ingest(model, false);
    var failures = new java.util.concurrent.ConcurrentLinkedQueue<String>();
    var stop = new AtomicBoolean();
    var searchers = new ArrayList<Thread>();
    var searches = new AtomicInteger();
    for (int t = 0; t < 2; t++) {
      searchers.add(
          Thread.ofPlatform()
              .name("searcher-" + t)
              .start(
                  () -> {
                    Searcher searcher = Searcher.create(index, model, SearchConfig.DEFAULT);
                    while (!stop.get()) {
                      try {
                        var hits =
                            searcher
                                .search(
                                    new SearchRequest(
                                        "shared words", 200, SearchMode.HYBRID, Map.of()))
                                .hits();
                        var versionByDoc = new HashMap<String, String>();
                        for (Hit h : hits) {
                          String v = h.text().contains("alpha") ? "alpha" : "beta";
                          String prev = versionByDoc.putIfAbsent(h.docId(), v);
                          if (prev != null && !prev.equals(v)) {
                            failures.add("mixed versions of " + h.docId());
                          }
                        }
                        searches.incrementAndGet();
                      } catch (RuntimeException e) {
                        failures.add(e.toString());
                      }
                    }
                  }));
    }
    writeVersioned(docCount, "beta");
    IngestReport r = ingest(model, false, new IngestConfig(4, 3, Duration.ofMillis(10), 1 << 20));
    stop.set(true);
    for (Thread t : searchers) {
      t.join();
    }
    assertThat(failures).isEmpty();
    assertThat(searches.get()).isPositive();
    assertThat(r.failed()).isZero();
    assertThat(bm25("alpha")).isEmpty();
  }

  private void writeVersioned(int docs, String version) throws IOException {
    var body = new StringBuilder();
    for (int p = 0; p < 6; p++) {
      body.append("Paragraph ")
          .append(p)
          .append(" has shared words and the marker ")
          .append(version)
          .append(". ")
          .append("filler ".repeat(60))
          .append("\n\n");
    }
    for (int i = 0; i < docs; i++) {
      write("v" + i + ".txt", body.toString());
    }
  }

  @Test
  void aFailingIndexEndsTheRunWithAnErrorInsteadOfHanging() throws IOException {
    for (int i = 0; i < 60; i++) {
      write("f" + i + ".txt", "Document " + i + " about failing disks.");
    }
    var failing = new FailingWritesIndex(index, 2);
    var config = new IngestConfig(2, 1, Duration.ofMillis(5), IngestConfig.DEFAULT_MAX_FILE_BYTES);
    SourceScan scan = FileSources.scan(List.of(docs), parsers);
    var ingestor = Ingestor.create(failing, () -> model, chunker, config, executor);

    assertTimeoutPreemptively(
        Duration.ofSeconds(60),
        () ->
            assertThatThrownBy(
                    () ->
                        ingestor.ingest(
                            scan.documents().iterator(),
                            scan.documents().size(),
                            scan,
                            false,
                            new IngestProgress()))
                .isInstanceOf(Ingestor.IndexWriteException.class)
                .hasMessageContaining("disk full"));
    assertThat(index.stats().documents()).isEqualTo(2);
  }

  /** Lets the first writes through, then fails every write as a full disk would. */
  private static final class FailingWritesIndex extends ForwardingIndex {
    private final AtomicInteger allowed;

    FailingWritesIndex(Index delegate, int allowedWrites) {
      super(delegate);
      this.allowed = new AtomicInteger(allowedWrites);
    }

    @Override
    public void write(List<DocumentWrite> documents) {
      if (allowed.getAndDecrement() <= 0) {
        throw new UncheckedIOException(new IOException("disk full"));
      }
      delegate.write(documents);
    }
  }

  @Test
  void jsonlCorpusRecordsBecomeDocumentsWithTheirIds() throws IOException {
    Path corpus = tmp.resolve("corpus.jsonl");
    Files.writeString(
        corpus,
        """
        {"_id":"d1","title":"Aspirin","text":"Aspirin reduces the risk of heart attack."}
        {"_id":"d2","title":"Vitamin D","text":"Vitamin D deficiency is common in winter."}
        not json at all
        """,
        StandardCharsets.UTF_8);
    try (JsonlCorpus c = JsonlCorpus.open(corpus)) {
      IngestReport r =
          Ingestor.create(index, () -> model, chunker, IngestConfig.DEFAULT, executor)
              .ingest(
                  CorpusSources.of(c, "corpus.jsonl"),
                  -1,
                  SourceScan.empty(),
                  false,
                  new IngestProgress());
      assertThat(r.documents()).isEqualTo(2);
      assertThat(c.malformedCount()).isEqualTo(1);
    }
    assertThat(index.documentIds()).containsExactlyInAnyOrder("d1", "d2");
    assertThat(bm25("winter deficiency")).first().extracting(Hit::docId).isEqualTo("d2");
  }

  @Test
  void bm25MatchesTheTitleOfEveryChunkWithoutReturningIt() throws IOException {
    Path corpus = tmp.resolve("titled.jsonl");
    Files.writeString(
        corpus,
        """
        {"_id":"d1","title":"Aspirin","text":"It reduces the risk of heart attack."}
        {"_id":"d2","title":"Vitamin D","text":"Deficiency is common in winter."}
        """,
        StandardCharsets.UTF_8);
    try (JsonlCorpus c = JsonlCorpus.open(corpus)) {
      Ingestor.create(index, () -> model, chunker, IngestConfig.DEFAULT, executor)
          .ingest(
              CorpusSources.of(c, "titled.jsonl"),
              -1,
              SourceScan.empty(),
              false,
              new IngestProgress());
    }
    List<Hit> hits = bm25("aspirin");
    assertThat(hits).extracting(Hit::docId).containsExactly("d1");
    assertThat(hits.get(0).text()).isEqualTo("It reduces the risk of heart attack.");
    assertThat(hits.get(0).metadata()).containsEntry("title", "Aspirin");
  }

  @Test
  void embedTextCarriesTitleAndHeadingContext() {
    var chunk = new dev.ragtime.chunk.Chunk(0, "Seismometers warn of eruptions.", "Monitoring", 4);
    assertThat(Ingestor.embedText("Volcanoes", chunk))
        .isEqualTo("Volcanoes › Monitoring\nSeismometers warn of eruptions.");
    var first = new dev.ragtime.chunk.Chunk(0, "Volcanoes\n\nMagma rises.", "Volcanoes", 3);
    assertThat(Ingestor.embedText("Volcanoes", first)).isEqualTo("Volcanoes\n\nMagma rises.");
    var plain = new dev.ragtime.chunk.Chunk(0, "Magma rises.", "", 2);
    assertThat(Ingestor.embedText("Volcanoes", plain)).isEqualTo("Volcanoes\nMagma rises.");
    assertThat(Ingestor.context("Volcanoes", chunk)).isEqualTo("Volcanoes › Monitoring");
    assertThat(Ingestor.context("Volcanoes", first)).isEmpty();
  }

  /** Delegates to the fake, but rejects every batch holding a text that contains a marker. */
  private static final class FailingModel implements EmbeddingModel {
    private final FakeEmbeddingModel delegate;
    private final String poison;
    final AtomicBoolean called = new AtomicBoolean();

    FailingModel(ModelInfo info, String poison) {
      this.delegate = new FakeEmbeddingModel(info);
      this.poison = poison;
    }

    @Override
    public ModelInfo info() {
      return delegate.info();
    }

    @Override
    public List<float[]> embed(List<String> texts) {
      called.set(true);
      if (poison.isEmpty() || texts.stream().anyMatch(t -> t.contains(poison))) {
        throw new IllegalStateException("provider rejected the input (HTTP 400)");
      }
      return delegate.embed(texts);
    }
  }
}
