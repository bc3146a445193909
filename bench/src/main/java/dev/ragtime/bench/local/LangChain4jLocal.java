package dev.ragtime.bench.local;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15.BgeSmallEnV15EmbeddingModel;
import dev.ragtime.onnx.LocalModel;
import java.util.ArrayList;
import java.util.List;

/**
 * LangChain4j's in-process class for the same local model, with its defaults, driven the documented
 * way: one {@code embedAll} for all texts. (It embeds each text alone, on a pool of one thread per
 * core.)
 */
final class LangChain4jLocal implements Embedder {
  private final LocalModel declared;
  private final AbstractInProcessEmbeddingModel model;

  LangChain4jLocal(LocalModel declared) {
    this.declared = declared;
    this.model =
        switch (declared) {
          case ALL_MINILM_L6_V2 -> new AllMiniLmL6V2EmbeddingModel();
          case ALL_MINILM_L6_V2_Q -> new AllMiniLmL6V2QuantizedEmbeddingModel();
          case BGE_SMALL_EN_V15 -> new BgeSmallEnV15EmbeddingModel();
        };
  }

  @Override
  public List<float[]> embed(List<String> texts, int[] documents) {
    List<TextSegment> segments = new ArrayList<>(texts.size());
    for (String t : texts) {
      segments.add(TextSegment.from(declared.documentPrefix() + t));
    }
    List<Embedding> embeddings = model.embedAll(segments).content();
    List<float[]> out = new ArrayList<>(embeddings.size());
    for (Embedding e : embeddings) {
      out.add(e.vector());
    }
    return out;
  }

  @Override
  public String settings() {
    return model.getClass().getSimpleName()
        + "() defaults: one text per ONNX run, "
        + Runtime.getRuntime().availableProcessors()
        + " pool threads, bundled tokenizer; one embedAll() call";
  }

  @Override
  public void close() {
    // Nothing to release: the model lives as long as the JVM.
  }
}
