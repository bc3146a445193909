package dev.ragtime.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ragtime.chunk.Chunker;
import dev.ragtime.chunk.ChunkerConfig;
import dev.ragtime.chunk.TokenCounter;
import dev.ragtime.index.Hit;
import dev.ragtime.index.IndexSnapshot;
import dev.ragtime.index.LuceneCollections;
import dev.ragtime.ingest.IngestConfig;
import dev.ragtime.search.SearchConfig;
import dev.ragtime.search.SearchMode;
import dev.ragtime.testing.FakeEmbeddingModel;
import dev.ragtime.testing.TinyBeirDataset;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BeirEvaluationTest {
  private static final List<SearchMode> ALL =
      List.of(SearchMode.BM25, SearchMode.VECTOR, SearchMode.HYBRID);

  @TempDir Path tmp;

  private final FakeEmbeddingModel model = new FakeEmbeddingModel();
  private ExecutorService executor;
  private LuceneCollections collections;
  private BeirDataset test;
  private BeirEvaluation eval;

  @BeforeEach
  void setUp() {
    executor =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("eval-test-", 0).factory());
    collections = LuceneCollections.at(tmp.resolve("data"));
    test = BeirDataset.load(TinyBeirDataset.write(tmp.resolve("tiny")), "test");
    eval = evaluation(ChunkerConfig.of(24, 4));
  }

  @AfterEach
  void tearDown() {
    executor.close();
  }

  private BeirEvaluation evaluation(ChunkerConfig chunking) {
    return BeirEvaluation.create(
        collections,
        model.info(),
        () -> model,
        Chunker.create(chunking, TokenCounter.approximate()),
        IngestConfig.DEFAULT,
        executor);
  }

  @Test
  void theBeirProtocolIndexesEachDocumentWholeAsTitleAndText() {
    try (EvalCollection c = eval.open(test, EvalProtocol.BEIR)) {
      IndexingSummary s = c.indexing();
      assertThat(s.documents()).isEqualTo(TinyBeirDataset.DOCUMENTS);
      assertThat(s.written()).isEqualTo(TinyBeirDataset.DOCUMENTS);
      assertThat(s.embedded()).isEqualTo(TinyBeirDataset.DOCUMENTS);
      assertThat(s.chunks()).isEqualTo(TinyBeirDataset.DOCUMENTS);
      try (IndexSnapshot snapshot = c.index().snapshot()) {
        Hit hit = snapshot.lexical("zorblat", Map.of(), 1).get(0);
        assertThat(hit.chunkId()).isEqualTo("d0");
        assertThat(hit.text()).startsWith("On zorblat The zorblat is studied");
        assertThat(snapshot.vector(model.vectorOf(hit.text()), Map.of(), 1).get(0).docId())
            .isEqualTo("d0");
      }
    }
  }

  @Test
  void everyModeRanksTheTopicDocumentsAndReportsMeasuresAndLatencies() {
    try (EvalCollection c = eval.open(test, EvalProtocol.BEIR)) {
      EvalReport report = c.evaluate(test, ALL, SearchConfig.DEFAULT);

      assertThat(report.dataset()).isEqualTo("tiny");
      assertThat(report.split()).isEqualTo("test");
      assertThat(report.queries()).isEqualTo(TinyBeirDataset.QUERIES);
      assertThat(report.chunked()).isFalse();
      assertThat(report.modes().keySet()).containsExactlyElementsOf(ALL);
      ModeResult bm25 = report.modes().get(SearchMode.BM25);
      assertThat(bm25.scores().mrrAt10()).isEqualTo(1.0);
      assertThat(bm25.scores().recallAt100()).isEqualTo(1.0);
      assertThat(bm25.scores().ndcgAt10()).isGreaterThan(0.9);
      for (ModeResult r : report.modes().values()) {
        assertThat(r.searchP50Ms()).isPositive().isLessThanOrEqualTo(r.searchP99Ms());
        assertThat(r.scores().ndcgAt10()).as(r.mode().label()).isGreaterThan(0.5);
      }
    }
  }

  @Test
  void queriesAreEmbeddedOnceUpFrontAndBm25AloneNeverEmbeds() {
    try (EvalCollection c = eval.open(test, EvalProtocol.BEIR)) {
      int before = model.embeddedTexts();
      c.evaluate(test, List.of(SearchMode.BM25), SearchConfig.DEFAULT);
      assertThat(model.embeddedTexts()).isEqualTo(before);
      c.evaluate(test, ALL, SearchConfig.DEFAULT);
      c.evaluate(test, List.of(SearchMode.VECTOR), SearchConfig.DEFAULT);
      assertThat(model.embeddedTexts() - before).isEqualTo(TinyBeirDataset.QUERIES);
    }
  }

  @Test
  void aSecondEvaluationReusesTheIndexedCorpusWithoutEmbeddingItAgain() {
    try (EvalCollection c = eval.open(test, EvalProtocol.BEIR)) {
      assertThat(c.indexing().written()).isEqualTo(TinyBeirDataset.DOCUMENTS);
    }
    int embeddedBefore = model.embeddedTexts();
    try (EvalCollection c = eval.open(test, EvalProtocol.BEIR)) {
      assertThat(c.indexing().unchanged()).isEqualTo(TinyBeirDataset.DOCUMENTS);
      assertThat(c.indexing().written()).isZero();
      assertThat(c.indexing().embedded()).isZero();
    }
    assertThat(model.embeddedTexts()).isEqualTo(embeddedBefore);
    assertThat(collections.names()).containsExactly(eval.collectionName(test, EvalProtocol.BEIR));
  }

  @Test
  void theChunkedProtocolIngestsChunksAndRanksEachDocumentOnce() {
    try (EvalCollection c = eval.open(test, EvalProtocol.CHUNKED)) {
      IndexingSummary s = c.indexing();
      assertThat(s.documents()).isEqualTo(TinyBeirDataset.DOCUMENTS);
      assertThat(s.chunks()).isGreaterThan(TinyBeirDataset.DOCUMENTS);

      EvalReport report = c.evaluate(test, ALL, SearchConfig.DEFAULT);
      assertThat(report.chunked()).isTrue();
      assertThat(report.modes().get(SearchMode.BM25).scores().recallAt100()).isEqualTo(1.0);
      assertThat(report.modes().get(SearchMode.HYBRID).scores().ndcgAt10()).isGreaterThan(0.8);

      List<QueryLists> lists = c.lists(test, 100);
      for (QueryLists q : lists) {
        assertThat(q.lexicalIds()).doesNotHaveDuplicates();
        assertThat(q.vectorIds()).doesNotHaveDuplicates().hasSize(TinyBeirDataset.DOCUMENTS);
      }
    }
  }

  @Test
  void scratchCollectionsAreNamedByDatasetProtocolAndSettings() {
    String beir = eval.collectionName(test, EvalProtocol.BEIR);
    String chunked = eval.collectionName(test, EvalProtocol.CHUNKED);
    assertThat(beir).matches("eval-tiny-beir-[0-9a-f]{8}");
    assertThat(chunked).matches("eval-tiny-chunked-[0-9a-f]{8}");
    BeirEvaluation otherChunking = evaluation(ChunkerConfig.of(48, 4));
    assertThat(otherChunking.collectionName(test, EvalProtocol.BEIR)).isEqualTo(beir);
    assertThat(otherChunking.collectionName(test, EvalProtocol.CHUNKED)).isNotEqualTo(chunked);
  }

  @Test
  void offlineFusionOfTheSeparateListsMatchesTheSearchersHybridRanking() {
    try (EvalCollection c = eval.open(test, EvalProtocol.BEIR)) {
      List<QueryLists> lists = c.lists(test, 300);
      for (SearchConfig config :
          List.of(SearchConfig.DEFAULT, new SearchConfig(5, 100, 1.0, 0.5))) {
        MetricScores searched = c.evaluate(test, SearchMode.HYBRID, config).scores();
        MetricScores offline = FusionTuner.score(lists, config);
        assertThat(offline.ndcgAt10()).isCloseTo(searched.ndcgAt10(), within(1e-12));
        assertThat(offline.mapAt100()).isCloseTo(searched.mapAt100(), within(1e-12));
      }
      List<FusionTuner.Trial> trials =
          FusionTuner.grid(lists, List.of(10, 60), List.of(0.5, 1.0), List.of(100));
      assertThat(trials).hasSize(4);
      assertThat(trials.get(0).scores().ndcgAt10())
          .isGreaterThanOrEqualTo(trials.get(3).scores().ndcgAt10());
    }
  }

  @Test
  void latencyPercentilesUseTheNearestRank() {
    long[] nanos = new long[100];
    for (int i = 0; i < 100; i++) {
      nanos[i] = (100 - i) * 1_000_000L; // 100 ms .. 1 ms, unsorted
    }
    assertThat(EvalCollection.percentileMs(nanos, 50)).isEqualTo(50.0);
    assertThat(EvalCollection.percentileMs(nanos, 99)).isEqualTo(99.0);
    assertThat(EvalCollection.percentileMs(new long[] {3_000_000}, 99)).isEqualTo(3.0);
  }
}
