package dev.ragtime.bench.local;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.util.ArrayList;
import java.util.List;

/**
 * LangChain4j's in-process all-MiniLM-L6-v2 with its defaults, driven the documented way: one
 * {@code embedAll} for all texts. (It embeds each text alone, on a pool of one thread per core.)
 */
final class LangChain4jAllMiniLm implements Embedder {
  private final AllMiniLmL6V2EmbeddingModel model = new AllMiniLmL6V2EmbeddingModel();

  @Override
  public List<float[]> embed(List<String> texts, int[] documents) {
    List<TextSegment> segments = new ArrayList<>(texts.size());
    for (String t : texts) {
      segments.add(TextSegment.from(t));
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
    return "AllMiniLmL6V2EmbeddingModel() defaults: one text per ONNX run, "
        + Runtime.getRuntime().availableProcessors()
        + " pool threads, bundled tokenizer (128 word-pieces); one embedAll() call";
  }

  @Override
  public void close() {
    // Nothing to release: the model lives as long as the JVM.
  }
}
