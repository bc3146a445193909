package dev.ragtime.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.ragtime.embed.ModelInfo;
import dev.ragtime.testing.FakeEmbeddingModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link Index} implementation must show. An implementation's test extends this
 * class and implements {@link #open}; every case then runs against it unchanged.
 *
 * <p>Vectors come from {@link FakeEmbeddingModel} (hashed bag of words, {@link #MODEL}, 64
 * dimensions), so chunks sharing words are near each other.
 */
public abstract class IndexContract {
  /** The model most cases build their index with. */
  protected static final ModelInfo MODEL = FakeEmbeddingModel.DEFAULT_INFO;

  protected final FakeEmbeddingModel embedder = new FakeEmbeddingModel(MODEL);

  private final List<Index> opened = Collections.synchronizedList(new ArrayList<>());

  /**
   * Opens the index named {@code name} in this test's own isolated store, creating it (recording
   * {@code model}) if it does not exist. Called again with the same name after the earlier index
   * was closed, it must reopen what was written. Each test method gets a fresh store.
   */
  protected abstract Index open(String name, ModelInfo model);

  /** Opens through {@link #open} and closes the index after the test. */
  protected final Index openIndex(String name, ModelInfo model) {
    Index index = open(name, model);
    opened.add(index);
    return index;
  }

  protected final Index openIndex() {
    return openIndex("contract", MODEL);
  }

  @AfterEach
  final void closeOpenedIndexes() {
    for (Index index : opened) {
      index.close();
    }
  }

  /** A document whose chunk {@code i} is {@code texts[i]}, id {@code docId#i}, with metadata. */
  protected final DocumentWrite doc(
      String docId, String contentHash, Map<String, String> metadata, String... texts) {
    List<IndexedChunk> chunks = new ArrayList<>();
    for (int i = 0; i < texts.length; i++) {
      chunks.add(
          new IndexedChunk(docId + "#" + i, i, texts[i], embedder.vectorOf(texts[i]), metadata));
    }
    return new DocumentWrite(docId, contentHash, chunks);
  }

  protected final DocumentWrite doc(String docId, String... texts) {
    return doc(docId, "hash-of-" + docId, Map.of(), texts);
  }

  private static List<String> chunkIds(List<Hit> hits) {
    return hits.stream().map(Hit::chunkId).toList();
  }

  private List<Hit> lexical(Index index, String query, Map<String, String> filters, int k) {
    try (IndexSnapshot s = index.snapshot()) {
      return s.lexical(query, filters, k);
    }
  }

  private List<Hit> vector(Index index, String query, Map<String, String> filters, int k) {
    try (IndexSnapshot s = index.snapshot()) {
      return s.vector(embedder.vectorOf(query), filters, k);
    }
  }

  private static final String FOX = "The quick brown fox jumps over the lazy dog";
  private static final String CATS = "Cats sleep most of the afternoon in the sun";
  private static final String RIVERS = "Rivers carry sediment from mountains to the sea";

  // --- writing and lexical search -------------------------------------------------------------

  @Test
  void writtenChunksAreFoundByLexicalSearch() {
    Index index = openIndex();
    index.write(List.of(doc("animals", FOX, CATS), doc("geo", RIVERS)));

    assertThat(chunkIds(lexical(index, "fox", Map.of(), 10))).containsExactly("animals#0");
    assertThat(chunkIds(lexical(index, "sediment mountains", Map.of(), 10)))
        .containsExactly("geo#0");
  }

  @Test
  void lexicalSearchRanksTheBetterMatchFirstWithDescendingScores() {
    Index index = openIndex();
    index.write(
        List.of(
            doc("a", "apple banana cherry"),
            doc("b", "apple apple banana banana"),
            doc("c", "grape melon")));

    List<Hit> hits = lexical(index, "banana apple", Map.of(), 10);

    assertThat(chunkIds(hits)).containsExactly("b#0", "a#0");
    assertThat(hits.get(0).score()).isGreaterThan(hits.get(1).score());
  }

  @Test
  void lexicalSearchMatchesInflectedFormsOfEnglishWords() {
    Index index = openIndex();
    index.write(List.of(doc("d", "The runner was running through forests")));

    assertThat(chunkIds(lexical(index, "runs forest", Map.of(), 10))).containsExactly("d#0");
  }

  @Test
  void hitsCarryDocumentIdTextAndMetadata() {
    Index index = openIndex();
    index.write(List.of(doc("animals", "h1", Map.of("lang", "en", "source", "zoo.md"), FOX)));

    Hit hit = lexical(index, "fox", Map.of(), 1).get(0);

    assertThat(hit.docId()).isEqualTo("animals");
    assertThat(hit.chunkId()).isEqualTo("animals#0");
    assertThat(hit.text()).isEqualTo(FOX);
    assertThat(hit.metadata()).isEqualTo(Map.of("lang", "en", "source", "zoo.md"));
    assertThat(hit.score()).isPositive();
  }

  @Test
  void contextIsMatchedByLexicalSearchButNotReturnedWithTheHit() {
    Index index = openIndex();
    var titled =
        new IndexedChunk(
            "volcanoes#1",
            1,
            "Seismometers warn of eruptions.",
            embedder.vectorOf("Seismometers warn of eruptions."),
            Map.of(),
            "Volcanoes › Monitoring");
    index.write(List.of(new DocumentWrite("volcanoes", "h", List.of(titled)), doc("geo", RIVERS)));

    List<Hit> hits = lexical(index, "volcano monitoring", Map.of(), 10);

    assertThat(chunkIds(hits)).containsExactly("volcanoes#1");
    assertThat(hits.get(0).text()).isEqualTo("Seismometers warn of eruptions.");
    assertThat(chunkIds(lexical(index, "eruptions", Map.of(), 10))).containsExactly("volcanoes#1");
  }

  @Test
  void kLimitsTheNumberOfHitsAndMayExceedTheNumberOfMatches() {
    Index index = openIndex();
    index.write(
        IntStream.range(0, 5).mapToObj(i -> doc("d" + i, "common word number " + i)).toList());

    assertThat(lexical(index, "common", Map.of(), 3)).hasSize(3);
    assertThat(lexical(index, "common", Map.of(), 100)).hasSize(5);
    assertThat(vector(index, "common word", Map.of(), 2)).hasSize(2);
    assertThat(vector(index, "common word", Map.of(), 100)).hasSize(5);
  }

  // --- vector search --------------------------------------------------------------------------

  @Test
  void vectorSearchReturnsTheNearestChunkFirstScoredByCosineSimilarity() {
    Index index = openIndex();
    index.write(List.of(doc("animals", FOX, CATS), doc("geo", RIVERS)));

    List<Hit> hits = vector(index, CATS, Map.of(), 3);

    assertThat(hits).hasSize(3);
    assertThat(hits.get(0).chunkId()).isEqualTo("animals#1");
    assertThat(hits.get(0).score()).isCloseTo(1.0f, within(1e-3f));
    assertThat(hits.get(1).score()).isLessThan(hits.get(0).score());
    assertThat(hits.get(2).score()).isLessThanOrEqualTo(hits.get(1).score());
  }

  @Test
  void vectorScoresEqualTheDotProductOfTheVectors() {
    Index index = openIndex();
    index.write(List.of(doc("geo", RIVERS)));
    float[] q = embedder.vectorOf("sediment in rivers");
    float[] d = embedder.vectorOf(RIVERS);
    double dot = 0;
    for (int i = 0; i < q.length; i++) {
      dot += q[i] * d[i];
    }

    Hit hit;
    try (IndexSnapshot s = index.snapshot()) {
      hit = s.vector(q, Map.of(), 1).get(0);
    }

    assertThat((double) hit.score()).isCloseTo(dot, within(1e-4));
  }

  // --- candidates ----------------------------------------------------------------------------

  @Test
  void candidatesIdentifyAndScoreExactlyTheHitsTheyLoad() {
    Index index = openIndex();
    index.write(
        List.of(
            doc("animals", "h", Map.of("kind", "life"), FOX, CATS),
            doc("geo", "h", Map.of("kind", "earth"), RIVERS),
            doc("more", "h", Map.of("kind", "life"), "a fox and cats by the rivers")));

    try (IndexSnapshot s = index.snapshot()) {
      List<Candidate> lexical = s.lexicalCandidates("fox cats rivers", Map.of(), 10);
      List<Hit> lexicalHits = s.lexical("fox cats rivers", Map.of(), 10);
      float[] q = embedder.vectorOf("cats in the sun");
      List<Candidate> vector = s.vectorCandidates(q, Map.of("kind", "life"), 10);
      List<Hit> vectorHits = s.vector(q, Map.of("kind", "life"), 10);

      assertThat(lexical).hasSize(4);
      assertThat(vector).hasSize(3);
      for (var pair : List.of(Map.entry(lexical, lexicalHits), Map.entry(vector, vectorHits))) {
        assertThat(pair.getKey())
            .extracting(Candidate::chunkId)
            .isEqualTo(chunkIds(pair.getValue()));
        assertThat(pair.getKey())
            .extracting(Candidate::docId)
            .isEqualTo(pair.getValue().stream().map(Hit::docId).toList());
        assertThat(pair.getKey())
            .extracting(Candidate::score)
            .isEqualTo(pair.getValue().stream().map(Hit::score).toList());
        assertThat(s.load(pair.getKey())).isEqualTo(pair.getValue());
      }
    }
  }

  @Test
  void loadKeepsTheGivenOrderAndScores() {
    Index index = openIndex();
    index.write(List.of(doc("animals", FOX, CATS), doc("geo", RIVERS)));

    try (IndexSnapshot s = index.snapshot()) {
      List<Candidate> ranked = s.vectorCandidates(embedder.vectorOf(CATS), Map.of(), 3);
      List<Candidate> reordered =
          List.of(ranked.get(2).withScore(7f), ranked.get(0).withScore(-1f), ranked.get(1));

      List<Hit> hits = s.load(reordered);

      assertThat(chunkIds(hits))
          .containsExactly(
              ranked.get(2).chunkId(), ranked.get(0).chunkId(), ranked.get(1).chunkId());
      assertThat(hits).extracting(Hit::score).containsExactly(7f, -1f, ranked.get(1).score());
      assertThat(hits.get(1).text()).isEqualTo(CATS);
      assertThat(s.load(List.of())).isEmpty();
    }
  }

  @Test
  void loadRejectsACandidateThatNamesNoChunkOfTheSnapshot() {
    Index index = openIndex();
    index.write(List.of(doc("animals", FOX, CATS)));

    try (IndexSnapshot s = index.snapshot()) {
      Candidate real = s.lexicalCandidates("fox", Map.of(), 1).get(0);

      assertThatThrownBy(() -> s.load(List.of(new Candidate("x", "x#0", 1f, 1_000_000))))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> s.load(List.of(new Candidate("x", "x#0", 1f, real.ref()))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("x#0");
    }
  }

  // --- filters --------------------------------------------------------------------------------

  @Test
  void metadataFiltersRestrictLexicalAndVectorResults() {
    Index index = openIndex();
    index.write(
        List.of(
            doc("en", "h", Map.of("lang", "en", "team", "a"), "shared words about search"),
            doc("de", "h", Map.of("lang", "de", "team", "a"), "shared words about search too"),
            doc("fr", "h", Map.of("lang", "fr", "team", "b"), "shared words about search again")));

    assertThat(chunkIds(lexical(index, "search", Map.of("lang", "de"), 10)))
        .containsExactly("de#0");
    assertThat(chunkIds(vector(index, "search", Map.of("lang", "de"), 10))).containsExactly("de#0");
    assertThat(chunkIds(lexical(index, "search", Map.of("team", "a"), 10)))
        .containsExactlyInAnyOrder("en#0", "de#0");
    assertThat(chunkIds(vector(index, "search", Map.of("team", "a"), 10)))
        .containsExactlyInAnyOrder("en#0", "de#0");
  }

  @Test
  void everyFilterMustHold() {
    Index index = openIndex();
    index.write(
        List.of(
            doc("x", "h", Map.of("lang", "en", "team", "a"), "alpha"),
            doc("y", "h", Map.of("lang", "en", "team", "b"), "alpha")));

    assertThat(chunkIds(lexical(index, "alpha", Map.of("lang", "en", "team", "b"), 10)))
        .containsExactly("y#0");
    assertThat(chunkIds(vector(index, "alpha", Map.of("lang", "en", "team", "b"), 10)))
        .containsExactly("y#0");
    assertThat(lexical(index, "alpha", Map.of("lang", "de", "team", "b"), 10)).isEmpty();
  }

  @Test
  void filtersAreExactMatchesOnUnanalysedValues() {
    Index index = openIndex();
    index.write(List.of(doc("x", "h", Map.of("path", "docs/Guide One.md"), "alpha")));

    assertThat(lexical(index, "alpha", Map.of("path", "docs/Guide One.md"), 10)).hasSize(1);
    assertThat(lexical(index, "alpha", Map.of("path", "docs/guide one.md"), 10)).isEmpty();
    assertThat(lexical(index, "alpha", Map.of("path", "Guide"), 10)).isEmpty();
    assertThat(vector(index, "alpha", Map.of("unknown-key", "x"), 10)).isEmpty();
  }

  // --- upsert and delete ----------------------------------------------------------------------

  @Test
  void upsertReplacesEveryChunkOfTheDocument() {
    Index index = openIndex();
    index.write(List.of(doc("d", "v1", Map.of(), "old alpha one", "old beta two", "old gamma")));
    index.write(List.of(doc("d", "v2", Map.of(), "new delta")));

    assertThat(lexical(index, "old", Map.of(), 10)).isEmpty();
    assertThat(chunkIds(lexical(index, "delta", Map.of(), 10))).containsExactly("d#0");
    assertThat(vector(index, "old beta two", Map.of(), 10))
        .extracting(Hit::text)
        .containsExactly("new delta");
    assertThat(index.stats()).isEqualTo(new IndexStats(1, 1));
    assertThat(index.contentHash("d")).contains("v2");
  }

  @Test
  void upsertLeavesOtherDocumentsAlone() {
    Index index = openIndex();
    index.write(List.of(doc("a", "alpha one"), doc("b", "alpha two", "alpha three")));
    index.write(List.of(doc("a", "alpha four")));

    assertThat(chunkIds(lexical(index, "alpha", Map.of(), 10)))
        .containsExactlyInAnyOrder("a#0", "b#0", "b#1");
  }

  @Test
  void deleteRemovesDocumentsAndReportsOnlyThoseThatWerePresent() {
    Index index = openIndex();
    index.write(List.of(doc("a", "alpha one", "alpha two"), doc("b", "alpha three")));

    Set<String> deleted = index.delete(Set.of("a", "missing"));

    assertThat(deleted).containsExactly("a");
    assertThat(chunkIds(lexical(index, "alpha", Map.of(), 10))).containsExactly("b#0");
    assertThat(chunkIds(vector(index, "alpha one", Map.of(), 10))).containsExactly("b#0");
    assertThat(index.documentIds()).containsExactly("b");
    assertThat(index.contentHash("a")).isEmpty();
    assertThat(index.stats()).isEqualTo(new IndexStats(1, 1));
    assertThat(index.delete(Set.of("a"))).isEmpty();
    assertThat(index.delete(Set.of())).isEmpty();
  }

  @Test
  void aDeletedDocumentCanBeWrittenAgain() {
    Index index = openIndex();
    index.write(List.of(doc("a", "alpha one")));
    index.delete(Set.of("a"));
    index.write(List.of(doc("a", "alpha again")));

    assertThat(lexical(index, "alpha", Map.of(), 10))
        .extracting(Hit::text)
        .containsExactly("alpha again");
  }

  // --- bookkeeping ----------------------------------------------------------------------------

  @Test
  void chunksReadsADocumentBackInOrderWithItsMetadata() {
    Index index = openIndex();
    String[] texts = new String[12];
    for (int i = 0; i < texts.length; i++) {
      texts[i] = "part number " + i;
    }
    index.write(
        List.of(doc("long", "h", Map.of("lang", "en"), texts), doc("other", "unrelated text")));
    List<Hit> chunks = index.chunks("long");
    assertThat(chunks).extracting(Hit::text).containsExactly(texts);
    assertThat(chunks).allSatisfy(h -> assertThat(h.docId()).isEqualTo("long"));
    assertThat(chunks.get(0).metadata()).containsEntry("lang", "en");
    assertThat(index.chunks("missing")).isEmpty();

    index.write(List.of(doc("long", "h2", Map.of(), "shorter now")));
    assertThat(index.chunks("long")).extracting(Hit::text).containsExactly("shorter now");
    index.delete(Set.of("long"));
    assertThat(index.chunks("long")).isEmpty();
  }

  @Test
  void contentHashTracksTheLatestVersionOfEachDocument() {
    Index index = openIndex();
    assertThat(index.contentHash("a")).isEmpty();

    index.write(List.of(doc("a", "h1", Map.of(), "x", "y"), doc("b", "h2", Map.of(), "z")));
    assertThat(index.contentHash("a")).contains("h1");
    assertThat(index.contentHash("b")).contains("h2");

    index.write(List.of(doc("a", "h3", Map.of(), "x")));
    assertThat(index.contentHash("a")).contains("h3");
    assertThat(index.contentHash("missing")).isEmpty();
  }

  @Test
  void documentIdsListsExactlyThePresentDocuments() {
    Index index = openIndex();
    assertThat(index.documentIds()).isEmpty();

    index.write(List.of(doc("a", "x"), doc("b", "y", "z"), doc("c", "w")));
    index.write(List.of(doc("b", "v")));
    index.delete(Set.of("c"));

    assertThat(index.documentIds()).containsExactlyInAnyOrder("a", "b");
  }

  @Test
  void statsCountDocumentsAndChunks() {
    Index index = openIndex();
    assertThat(index.stats()).isEqualTo(new IndexStats(0, 0));

    index.write(List.of(doc("a", "x", "y", "z"), doc("b", "w")));
    assertThat(index.stats()).isEqualTo(new IndexStats(2, 4));

    index.write(List.of(doc("a", "x")));
    assertThat(index.stats()).isEqualTo(new IndexStats(2, 2));
  }

  @Test
  void anEmptyWriteChangesNothing() {
    Index index = openIndex();
    index.write(List.of(doc("a", "x")));

    index.write(List.of());

    assertThat(index.stats()).isEqualTo(new IndexStats(1, 1));
  }

  @Test
  void aBatchWithAnInvalidVectorIsRejectedWhole() {
    Index index = openIndex();
    DocumentWrite good = doc("good", "alpha");
    DocumentWrite wrongDimension =
        new DocumentWrite(
            "bad",
            "h",
            List.of(
                new IndexedChunk("bad#0", 0, "alpha", new float[MODEL.dimension() + 1], Map.of())));

    assertThatThrownBy(() -> index.write(List.of(good, wrongDimension)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad");
    assertThat(index.documentIds()).isEmpty();
  }

  @Test
  void aVectorThatIsNotUnitLengthIsRejected() {
    Index index = openIndex();
    float[] v = embedder.vectorOf("alpha");
    for (int i = 0; i < v.length; i++) {
      v[i] *= 3;
    }
    DocumentWrite unnormalised =
        new DocumentWrite("d", "h", List.of(new IndexedChunk("d#0", 0, "alpha", v, Map.of())));

    assertThatThrownBy(() -> index.write(List.of(unnormalised)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(index.documentIds()).isEmpty();
  }

  // --- persistence and model identity ---------------------------------------------------------

  @Test
  void writesSurviveClosingAndReopening() {
    Index index = open("persist", MODEL);
    index.write(List.of(doc("a", "ha", Map.of("k", "v"), FOX, CATS)));
    index.write(List.of(doc("b", RIVERS)));
    index.delete(Set.of("b"));
    index.close();

    Index reopened = openIndex("persist", MODEL);

    assertThat(reopened.model()).satisfies(m -> assertThat(m.compatibleWith(MODEL)).isTrue());
    assertThat(reopened.documentIds()).containsExactly("a");
    assertThat(reopened.contentHash("a")).contains("ha");
    assertThat(reopened.stats()).isEqualTo(new IndexStats(1, 2));
    assertThat(chunkIds(lexical(reopened, "fox", Map.of("k", "v"), 10))).containsExactly("a#0");
    assertThat(chunkIds(vector(reopened, CATS, Map.of(), 1))).containsExactly("a#1");
  }

  @Test
  void theRecordedModelSurvivesLaterWritesAndReopening() {
    Index index = open("model", MODEL);
    index.close();
    Index second = open("model", MODEL);
    second.write(List.of(doc("a", "x")));
    second.close();

    ModelInfo other = new ModelInfo("another/model", MODEL.dimension(), MODEL.maxTokens());
    assertThatThrownBy(() -> openIndex("model", other)).isInstanceOf(ModelMismatchException.class);
  }

  @Test
  void openingWithAnotherModelIsRefused() {
    Index first = open("mismatch", MODEL);
    String reindex = first.reindexAdvice();
    first.close();
    ModelInfo otherId = new ModelInfo("another/model", MODEL.dimension(), MODEL.maxTokens());
    ModelInfo otherDimension = new ModelInfo(MODEL.id(), MODEL.dimension() * 2, MODEL.maxTokens());

    assertThatThrownBy(() -> openIndex("mismatch", otherId))
        .isInstanceOfSatisfying(
            ModelMismatchException.class,
            e -> {
              assertThat(e.indexed().compatibleWith(MODEL)).isTrue();
              assertThat(e.requested()).isEqualTo(otherId);
              assertThat(e).hasMessageContaining("another/model");
              // The remedy is the store's own: a folder for Lucene, not for a database.
              assertThat(e).hasMessageEndingWith("re-index with this model: " + reindex);
            });
    assertThatThrownBy(() -> openIndex("mismatch", otherDimension))
        .isInstanceOf(ModelMismatchException.class);
  }

  @Test
  void aModelWithTheSameIdAndDimensionButOtherTokenLimitIsRefused() {
    // The truncation changes the vector of every longer text (issue 8, defect 8).
    Index first = open("tokens", MODEL);
    first.write(List.of(doc("a", "x")));
    first.close();

    assertThatThrownBy(() -> openIndex("tokens", new ModelInfo(MODEL.id(), MODEL.dimension(), 128)))
        .isInstanceOf(ModelMismatchException.class)
        .hasMessageContaining("128 tokens");
  }

  @Test
  void anIndexIsNamedAfterItsCollection() {
    assertThat(openIndex("one", MODEL).name()).isEqualTo("one");
    assertThat(openIndex("two", MODEL).name()).isEqualTo("two");
  }

  @Test
  void differentlyNamedIndexesAreIsolated() {
    Index one = openIndex("one", MODEL);
    Index two = openIndex("two", FakeEmbeddingModel.create("other/model", 32).info());
    one.write(List.of(doc("a", "alpha")));

    assertThat(two.documentIds()).isEmpty();
    assertThat(one.documentIds()).containsExactly("a");
  }

  // --- snapshots and concurrency --------------------------------------------------------------

  @Test
  void aSnapshotDoesNotSeeLaterWrites() {
    Index index = openIndex();
    index.write(List.of(doc("a", "alpha old")));

    try (IndexSnapshot before = index.snapshot()) {
      index.write(List.of(doc("a", "alpha new"), doc("b", "alpha other")));

      assertThat(before.lexical("alpha", Map.of(), 10))
          .extracting(Hit::text)
          .containsExactly("alpha old");
      try (IndexSnapshot after = index.snapshot()) {
        assertThat(after.lexical("alpha", Map.of(), 10))
            .extracting(Hit::text)
            .containsExactlyInAnyOrder("alpha new", "alpha other");
      }
    }
  }

  @Test
  void concurrentSearchesNeverSeeAMixOfVersionsOfOneDocument() throws InterruptedException {
    Index index = openIndex();
    int versions = 30;
    List<String> docIds = List.of("d0", "d1");
    index.write(docIds.stream().map(id -> versionOf(id, 0)).toList());

    AtomicBoolean done = new AtomicBoolean();
    ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    AtomicInteger checked = new AtomicInteger();
    float[] query = embedder.vectorOf("shared alpha words");
    List<Thread> readers = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      readers.add(
          Thread.ofPlatform()
              .name("contract-reader-" + r)
              .start(
                  () -> {
                    while (!done.get() || checked.get() == 0) {
                      try (IndexSnapshot s = index.snapshot()) {
                        List<Hit> lex = s.lexical("alpha", Map.of(), 100);
                        List<Hit> vec = s.vector(query, Map.of(), 100);
                        checkOneVersionPerDocument(lex, vec, problems);
                      } catch (RuntimeException | AssertionError e) {
                        problems.add(e.toString());
                      }
                      checked.incrementAndGet();
                    }
                  }));
    }
    try {
      for (int v = 1; v <= versions; v++) {
        int version = v;
        index.write(docIds.stream().map(id -> versionOf(id, version)).toList());
      }
    } finally {
      done.set(true);
      for (Thread t : readers) {
        t.join();
      }
    }

    assertThat(problems).isEmpty();
    assertThat(checked.get()).isPositive();
    try (IndexSnapshot s = index.snapshot()) {
      assertThat(s.lexical("alpha", Map.of(), 100))
          .allSatisfy(h -> assertThat(h.metadata()).containsEntry("version", "v" + versions));
    }
  }

  /** Version {@code v} of a document: {@code 1 + v % 4} chunks, each tagged with the version. */
  private DocumentWrite versionOf(String docId, int v) {
    String[] texts =
        IntStream.range(0, 1 + v % 4)
            .mapToObj(j -> "shared alpha words version " + v + " part " + j)
            .toArray(String[]::new);
    return doc(docId, "hash-" + v, Map.of("version", "v" + v), texts);
  }

  private static void checkOneVersionPerDocument(
      List<Hit> lexical, List<Hit> vector, ConcurrentLinkedQueue<String> problems) {
    Map<String, Set<String>> versionsByDoc = new HashMap<>();
    Map<String, Integer> lexicalChunks = new HashMap<>();
    for (Hit h : lexical) {
      versionsByDoc
          .computeIfAbsent(h.docId(), d -> new HashSet<>())
          .add(h.metadata().get("version"));
      lexicalChunks.merge(h.docId(), 1, Integer::sum);
    }
    for (Hit h : vector) {
      versionsByDoc
          .computeIfAbsent(h.docId(), d -> new HashSet<>())
          .add(h.metadata().get("version"));
    }
    versionsByDoc.forEach(
        (docId, versions) -> {
          if (versions.size() != 1) {
            problems.add(docId + " mixed versions " + versions);
            return;
          }
          int v = Integer.parseInt(versions.iterator().next().substring(1));
          int expected = 1 + v % 4;
          if (lexicalChunks.getOrDefault(docId, 0) != expected) {
            problems.add(
                docId
                    + " version "
                    + v
                    + " showed "
                    + lexicalChunks.get(docId)
                    + " of its "
                    + expected
                    + " chunks");
          }
        });
    if (!lexicalChunks.keySet().equals(Set.of("d0", "d1"))) {
      problems.add("documents missing from a snapshot: " + lexicalChunks.keySet());
    }
  }

  // --- odd queries ----------------------------------------------------------------------------

  @Test
  void searchingAnEmptyIndexFindsNothing() {
    Index index = openIndex();

    assertThat(lexical(index, "anything", Map.of(), 10)).isEmpty();
    assertThat(vector(index, "anything", Map.of(), 10)).isEmpty();
    assertThat(vector(index, "anything", Map.of("k", "v"), 10)).isEmpty();
  }

  @Test
  void queriesThatAnalyseToNoTermsFindNothing() {
    Index index = openIndex();
    index.write(List.of(doc("a", "the and of to be or not to be")));

    assertThat(lexical(index, "the of and", Map.of(), 10)).isEmpty();
    assertThat(lexical(index, "!!! ??? ...", Map.of(), 10)).isEmpty();
    assertThat(lexical(index, " ", Map.of(), 10)).isEmpty();
  }

  @Test
  void queryOperatorsAreSearchedAsPlainText() {
    Index index = openIndex();
    index.write(List.of(doc("a", "alpha beta"), doc("b", "gamma")));

    assertThat(chunkIds(lexical(index, "text:alpha AND (beta OR \"unclosed", Map.of(), 10)))
        .containsExactly("a#0");
    assertThat(chunkIds(lexical(index, "-alpha", Map.of(), 10))).containsExactly("a#0");
    assertThat(lexical(index, "gamm* ~gamma^3", Map.of(), 10)).isNotEmpty();
  }

  @Test
  void veryLongQueriesStillSearch() {
    Index index = openIndex();
    index.write(List.of(doc("a", "needle in a haystack")));
    String longQuery =
        IntStream.range(0, 3000).mapToObj(i -> "word" + i).collect(Collectors.joining(" "))
            + " needle"
            + " needle".repeat(2000);

    assertThat(chunkIds(lexical(index, "needle " + longQuery, Map.of(), 10)))
        .containsExactly("a#0");
  }

  @Test
  void invalidSearchArgumentsAreRejected() {
    Index index = openIndex();
    index.write(List.of(doc("a", "alpha")));

    try (IndexSnapshot s = index.snapshot()) {
      assertThatThrownBy(() -> s.lexical("alpha", Map.of(), 0))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> s.vector(embedder.vectorOf("alpha"), Map.of(), -1))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> s.vector(new float[MODEL.dimension() - 1], Map.of(), 5))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(String.valueOf(MODEL.dimension() - 1));
    }
  }

  @Test
  void aClosedIndexRefusesFurtherUse() {
    Index index = open("closed", MODEL);
    index.close();
    index.close();

    assertThatThrownBy(index::snapshot).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> index.write(List.of(doc("a", "x"))))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(index::stats).isInstanceOf(IllegalStateException.class);
  }
}
