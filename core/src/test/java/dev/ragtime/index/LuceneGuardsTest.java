package dev.ragtime.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ragtime.embed.ModelInfo;
import dev.ragtime.testing.FakeEmbeddingModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guards around the Lucene index: closed objects refuse use with their own message, every lock
 * and reader taken is given back (checked against the files the process still has open or mapped,
 * from /proc/self), argument checks, and the details of lexical queries and candidate ids.
 */
class LuceneGuardsTest {
  private static final ModelInfo MODEL = FakeEmbeddingModel.DEFAULT_INFO;
  private static final ModelInfo OTHER = new ModelInfo("other/model", 64, 512);
  private final FakeEmbeddingModel embedder = new FakeEmbeddingModel();

  @TempDir Path dataDir;

  private DocumentWrite doc(String id, String text) {
    return OneChunk.doc(embedder, id, text);
  }

  private LuceneCollections collections() {
    return LuceneCollections.at(dataDir);
  }

  /** Files under the data directory that this process has open or memory-mapped right now. */
  private List<String> heldFiles() throws IOException {
    String root = dataDir.toRealPath().toString();
    List<String> held = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
      int at = line.indexOf(root);
      if (at >= 0) {
        held.add("mapped " + line.substring(at));
      }
    }
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : (Iterable<Path>) fds::iterator) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith(root)) {
            held.add("open " + target);
          }
        } catch (IOException e) {
          // the descriptor of the listing itself, closed meanwhile
        }
      }
    }
    return held;
  }

  // --- closed objects -------------------------------------------------------------------------

  @Test
  void aClosedSnapshotRefusesEveryReadWithItsOwnMessage() {
    try (Index index = collections().open("docs", MODEL)) {
      index.write(List.of(doc("a", "alpha")));
      IndexSnapshot s = index.snapshot();
      List<Candidate> found = s.lexicalCandidates("alpha", Map.of(), 5);
      s.close();
      s.close();

      String closed = "snapshot of collection 'docs' is closed";
      assertThatThrownBy(() -> s.lexicalCandidates("alpha", Map.of(), 5))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(closed);
      assertThatThrownBy(() -> s.vectorCandidates(embedder.vectorOf("alpha"), Map.of(), 5))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(closed);
      assertThatThrownBy(() -> s.load(found))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(closed);
      try (IndexSnapshot again = index.snapshot()) {
        assertThat(again.lexical("alpha", Map.of(), 5)).hasSize(1);
      }
    }
  }

  @Test
  void aClosedIndexRefusesEvenAnEmptyWriteOrDelete() {
    Index index = collections().open("docs", MODEL);
    index.close();
    assertThatThrownBy(() -> index.write(List.of()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("collection 'docs' is closed");
    assertThatThrownBy(() -> index.delete(Set.of()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("collection 'docs' is closed");
  }

  // --- locks and readers are given back ---------------------------------------------------------

  @Test
  void aWriteOrDeleteGivesTheWriteLockBackForOtherThreads() throws Exception {
    try (Index index = collections().open("docs", MODEL)) {
      index.write(List.of(doc("a", "alpha")));
      CompletableFuture.runAsync(() -> index.write(List.of(doc("b", "beta"))))
          .get(60, TimeUnit.SECONDS); // a guard against a hang
      index.delete(Set.of("a"));
      assertThat(
              CompletableFuture.supplyAsync(() -> index.delete(Set.of("b")))
                  .get(60, TimeUnit.SECONDS))
          .containsExactly("b");
      assertThat(index.documentIds()).isEmpty();
    }
  }

  @Test
  void readsAndSnapshotsGiveTheirReadersBack() throws IOException {
    try (Index index = collections().open("docs", MODEL)) {
      index.write(List.of(doc("a", "alpha")));
      index.contentHash("a");
      index.documentIds();
      index.stats();
      try (IndexSnapshot s = index.snapshot()) {
        s.lexical("alpha", Map.of(), 1);
      }
      // A later commit retires the reader those used; nothing may keep it alive.
      index.write(List.of(doc("b", "beta")));
    }
    assertThat(heldFiles()).isEmpty();
  }

  @Test
  void aReadOnlyIndexGivesEveryReaderBack() throws IOException {
    var collections = collections();
    try (Index writer = collections.open("docs", MODEL)) {
      writer.write(List.of(doc("a", "alpha")));
      try (SearchableIndex reader = collections.openReadOnly("docs", MODEL, Duration.ZERO)) {
        try (IndexSnapshot s = reader.snapshot()) {
          s.lexical("alpha", Map.of(), 1);
        }
        writer.write(List.of(doc("b", "beta")));
        try (IndexSnapshot s = reader.snapshot()) {
          assertThat(s.lexical("beta", Map.of(), 1)).hasSize(1);
        }
      }
    }
    assertThat(heldFiles()).isEmpty();
  }

  @Test
  void aReaderRefusedForItsModelHoldsNoFiles() throws IOException {
    var collections = collections();
    collections.open("docs", MODEL).close();
    assertThatThrownBy(() -> collections.openReadOnly("docs", OTHER))
        .isInstanceOf(ModelMismatchException.class);
    assertThat(heldFiles()).isEmpty();
  }

  @Test
  void anOpenRefusedForItsModelReleasesTheWriteLock() throws IOException {
    Path path = collections().collectionDir("docs").resolve("lucene");
    Files.createDirectories(path);
    LuceneIndex.open("docs", path, MODEL, IndexConfig.DEFAULT).close();

    assertThatThrownBy(() -> LuceneIndex.open("docs", path, OTHER, IndexConfig.DEFAULT))
        .isInstanceOf(ModelMismatchException.class);

    try (LuceneIndex again = LuceneIndex.open("docs", path, MODEL, IndexConfig.DEFAULT)) {
      assertThat(again.model()).isEqualTo(MODEL);
      assertThat(again.config()).isEqualTo(IndexConfig.DEFAULT);
    }
    assertThat(heldFiles()).isEmpty();
  }

  // --- arguments --------------------------------------------------------------------------------

  @Test
  void kAndTheQueryVectorAreCheckedWithClearMessages() {
    try (Index index = collections().open("docs", MODEL);
        IndexSnapshot s = index.snapshot()) {
      assertThatThrownBy(() -> s.lexicalCandidates("alpha", Map.of(), 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("k must be positive, was 0");
      assertThatThrownBy(() -> s.vectorCandidates(embedder.vectorOf("alpha"), Map.of(), 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("k must be positive, was 0");
      assertThatThrownBy(() -> s.vectorCandidates(new float[3], Map.of(), 1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("the query has a vector of dimension 3 but the index holds");
      float[] doubled = embedder.vectorOf("alpha");
      for (int i = 0; i < doubled.length; i++) {
        doubled[i] *= 2;
      }
      assertThatThrownBy(() -> s.vectorCandidates(doubled, Map.of(), 1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("the query has a vector that is not L2-normalised");
    }
  }

  @Test
  void aCandidateJustPastTheLastDocumentIsNotFromTheSnapshot() {
    try (Index index = collections().open("docs", MODEL)) {
      index.write(List.of(doc("a", "alpha"), doc("b", "beta")));
      try (IndexSnapshot s = index.snapshot()) {
        Candidate real = s.lexicalCandidates("beta", Map.of(), 1).getFirst();
        assertThat(real.ref()).isEqualTo(1);
        var past = new Candidate("b", "b#0", 1f, 2);
        assertThatThrownBy(() -> s.load(List.of(past)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage(
                "candidate " + past + " was not produced by this snapshot of collection 'docs'");
        assertThat(s.load(List.of(real))).extracting(Hit::docId).containsExactly("b");
      }
    }
  }

  // --- documents, queries and ids ---------------------------------------------------------------

  @Test
  void documentIdsLeaveOutDeletedAndIncludeReplacedDocuments() {
    try (Index index = collections().open("docs", MODEL)) {
      index.write(List.of(doc("a", "alpha"), doc("b", "beta"), doc("c", "gamma")));
      index.delete(Set.of("a"));
      index.write(List.of(doc("b", "beta again")));
      assertThat(index.documentIds()).containsExactlyInAnyOrder("b", "c");
      assertThat(index.contentHash("a")).isEmpty();
      assertThat(index.contentHash("b")).contains("h-b");
    }
  }

  @Test
  void aQueryUsesItsFirst512DistinctTermsOnly() {
    try (Index index = collections().open("docs", MODEL)) {
      index.write(List.of(doc("a", "kestrel")));
      try (IndexSnapshot s = index.snapshot()) {
        assertThat(s.lexical(fillers(LexicalQuery.MAX_TERMS - 1) + " kestrel", Map.of(), 5))
            .extracting(Hit::docId)
            .containsExactly("a");
        assertThat(s.lexical(fillers(LexicalQuery.MAX_TERMS) + " kestrel", Map.of(), 5)).isEmpty();
        // A term already counted still counts when repeated past the limit.
        assertThat(
                s.lexical("kestrel " + fillers(LexicalQuery.MAX_TERMS) + " kestrel", Map.of(), 5))
            .extracting(Hit::docId)
            .containsExactly("a");
      }
    }
  }

  private static String fillers(int n) {
    var sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(" zz").append(i);
    }
    return sb.toString();
  }

  @Test
  void aTermRepeatedInTheQueryWeighsMore() {
    try (Index index = collections().open("docs", MODEL)) {
      // Written first, so it would win a tie on document order.
      index.write(List.of(doc("b", "beta")));
      index.write(List.of(doc("a", "alpha")));
      try (IndexSnapshot s = index.snapshot()) {
        List<Hit> hits = s.lexical("alpha alpha beta", Map.of(), 5);
        assertThat(hits).extracting(Hit::docId).containsExactly("a", "b");
        assertThat(hits.get(0).score()).isGreaterThan(hits.get(1).score());
      }
    }
  }

  @Test
  void candidatesTakeTheirIdsFromDocValuesWhereChunksHaveThem() throws Exception {
    // Stored ids and doc-value ids that differ show which ones a candidate was given.
    Path path = collections().collectionDir("docs").resolve("lucene");
    try (FSDirectory dir = FSDirectory.open(path);
        IndexWriter w = new IndexWriter(dir, new IndexWriterConfig(new EnglishAnalyzer()))) {
      for (String word : List.of("low", "high high high")) {
        DocumentWrite write = doc(word.substring(0, 3), "alpha " + word);
        Document d = new Document();
        for (var f : LuceneSchema.toDocuments(write).getFirst().getFields()) {
          if (!(f instanceof SortedDocValuesField)) {
            d.add(f);
          }
        }
        d.add(
            new SortedDocValuesField(
                LuceneSchema.DOC_ID_VALUES, new BytesRef("dv-" + write.docId())));
        d.add(
            new SortedDocValuesField(
                LuceneSchema.CHUNK_ID_VALUES, new BytesRef("dv-" + write.docId() + "#0")));
        w.addDocument(d);
      }
      w.setLiveCommitData(new HashMap<>(LuceneSchema.userData(MODEL, "i")).entrySet());
      w.commit();
    }
    try (Index index = collections().open("docs", MODEL);
        IndexSnapshot s = index.snapshot()) {
      // Ranked against document order: the second document scores higher.
      List<Candidate> found = s.lexicalCandidates("alpha high", Map.of(), 5);
      assertThat(found).extracting(Candidate::docId).containsExactly("dv-hig", "dv-low");
      assertThat(found).extracting(Candidate::chunkId).containsExactly("dv-hig#0", "dv-low#0");
    }
  }

  // --- the collections ---------------------------------------------------------------------------

  @Test
  void theRefreshIntervalMayBeExactlyTheMaximum() {
    var collections = collections();
    collections.open("docs", MODEL).close();
    assertThatCode(
            () ->
                collections
                    .openReadOnly("docs", MODEL, LuceneCollections.MAX_REFRESH_INTERVAL)
                    .close())
        .doesNotThrowAnyException();
    assertThatThrownBy(
            () ->
                collections.openReadOnly(
                    "docs", MODEL, LuceneCollections.MAX_REFRESH_INTERVAL.plusNanos(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("refreshInterval must be in [0, PT1H], was PT1H0.000000001S");
  }

  @Test
  void namesAreSortedWhateverOrderTheFolderListsThemIn() {
    var collections = collections();
    var names = new ArrayList<String>();
    for (int i = 0; i < 12; i++) {
      names.add("c" + Integer.toString((i * 7919) % 97, 36) + "-" + i);
    }
    for (String n : names) {
      collections.open(n, MODEL).close();
    }
    assertThat(collections.names()).isSorted().containsExactlyInAnyOrderElementsOf(names);
    assertThat(collections.dataDir()).isEqualTo(dataDir.toAbsolutePath().normalize());
  }

  @Test
  void eachIndexObjectDescribesItselfByCollectionAndModelForLogs() {
    var collections = collections();
    assertThat(collections.toString()).contains(dataDir.getFileName().toString());
    try (Index index = collections.open("docs", MODEL)) {
      assertThat(index.toString()).contains("docs").contains(MODEL.toString());
    }
    try (SearchableIndex reader = collections.openReadOnly("docs", MODEL)) {
      assertThat(reader.toString()).contains("docs").contains(MODEL.toString());
    }
  }
}
