package dev.ragtime.bench;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.langchain4j.store.embedding.EmbeddingStoreIngestor;
import dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * LangChain4j 1.19's documented ingestion path: {@link EmbeddingStoreIngestor} with {@link
 * OpenAiEmbeddingModel} and an {@link InMemoryEmbeddingStore}, one {@code ingest} call for all
 * documents. Each workload text is one LangChain4j document and no splitter is set (none is on the
 * class path for the SPI to find), so the segments are exactly the workload's texts.
 *
 * <p>Settings are LangChain4j's defaults (base URL, API key and model aside): {@code
 * maxSegmentsPerBatch} 2048, {@code maxRetries} 2, batches sent one after another. The {@code
 * batch32} variant sets {@code maxSegmentsPerBatch} to the scenario's batch size, because the
 * default puts about 300,000 tokens of these texts in one request.
 */
final class LangChain4jContender implements Contender {
  /** LangChain4j 1.19's defaults, quoted for the report. */
  static final int DEFAULT_MAX_SEGMENTS_PER_BATCH = 2048;

  static final int DEFAULT_MAX_RETRIES = 2;

  private final boolean smallBatches;

  LangChain4jContender(boolean smallBatches) {
    this.smallBatches = smallBatches;
  }

  @Override
  public Outcome run(Workload workload, Target target) {
    var model =
        OpenAiEmbeddingModel.builder()
            .baseUrl(target.baseUrl().toString())
            .apiKey(target.apiKey())
            .modelName(Scenario.MODEL);
    int batch = DEFAULT_MAX_SEGMENTS_PER_BATCH;
    if (smallBatches) {
      batch = target.scenario().maxBatch();
      model.maxSegmentsPerBatch(batch);
    }
    OpenAiEmbeddingModel embeddingModel = model.build();
    Warmup.run(
        target.baseUrl(),
        texts -> embeddingModel.embedAll(texts.stream().map(TextSegment::from).toList()));
    RecordingStore store = new RecordingStore();
    EmbeddingStoreIngestor ingestor =
        EmbeddingStoreIngestor.builder()
            .embeddingModel(embeddingModel)
            .embeddingStore(store)
            .build();
    List<Document> documents = workload.texts().stream().map(Document::from).toList();
    String error = "";
    long start = System.nanoTime();
    try {
      ingestor.ingest(documents);
    } catch (RuntimeException e) {
      error = e.getClass().getSimpleName() + ": " + e.getMessage();
    }
    long end = System.nanoTime();
    return new Outcome(
        store.vectors,
        end - start,
        OptionalLong.empty(),
        error,
        "maxSegmentsPerBatch "
            + batch
            + (smallBatches ? "" : " (default)")
            + ", batches one after another, maxRetries "
            + DEFAULT_MAX_RETRIES
            + " (default), one ingest() call");
  }

  /** An in-memory store that also remembers which vector each segment text got. */
  private static final class RecordingStore extends InMemoryEmbeddingStore<TextSegment> {
    final Map<String, float[]> vectors = new ConcurrentHashMap<>();

    @Override
    public void addAll(List<String> ids, List<Embedding> embeddings, List<TextSegment> embedded) {
      super.addAll(ids, embeddings, embedded);
      for (int i = 0; i < embeddings.size(); i++) {
        vectors.put(embedded.get(i).text(), embeddings.get(i).vector());
      }
    }
  }
}
