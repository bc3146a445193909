package dev.ragtime.bench.vector;

import dev.ragtime.embed.EmbeddingModel;
import dev.ragtime.embed.ModelInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An {@link EmbeddingModel} that answers from precomputed vectors, so a {@code Searcher} can be
 * measured on its index work alone (query embedding is measured separately). Thread-safe.
 */
public final class LookupModel implements EmbeddingModel {
  private final ModelInfo info;
  private final Map<String, float[]> vectors;

  public LookupModel(ModelInfo info, Map<String, float[]> vectors) {
    this.info = info;
    this.vectors = Map.copyOf(vectors);
  }

  @Override
  public ModelInfo info() {
    return info;
  }

  @Override
  public List<float[]> embed(List<String> texts) {
    List<float[]> out = new ArrayList<>(texts.size());
    for (String t : texts) {
      float[] v = vectors.get(t);
      if (v == null) {
        throw new IllegalArgumentException("no precomputed vector for '" + t + "'");
      }
      out.add(v);
    }
    return out;
  }
}
