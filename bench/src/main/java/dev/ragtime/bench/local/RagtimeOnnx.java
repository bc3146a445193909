package dev.ragtime.bench.local;

import dev.ragtime.onnx.LocalModel;
import dev.ragtime.onnx.OnnxEmbeddingModel;
import dev.ragtime.onnx.OnnxModelConfig;
import java.nio.file.Path;
import java.util.List;

/** Ragtime's ONNX runner, {@link OnnxEmbeddingModel}, with its defaults: one call for all texts. */
final class RagtimeOnnx implements Embedder {
  private final OnnxEmbeddingModel model;

  RagtimeOnnx(LocalModel declared, Path nativeDir) {
    this.model = OnnxEmbeddingModel.load(OnnxModelConfig.defaults(declared, nativeDir));
  }

  @Override
  public List<float[]> embed(List<String> texts, int[] documents) {
    return model.embed(texts);
  }

  @Override
  public String settings() {
    OnnxModelConfig c = model.config();
    return "OnnxEmbeddingModel defaults for "
        + c.model().settingName()
        + ": batch "
        + Math.min(c.batchSize(), c.model().maxBatchSize())
        + ", token budget "
        + c.model().batchCells()
        + " cells, "
        + c.intraOpThreads()
        + " intra-op threads, max "
        + c.maxTokens()
        + " word-pieces; one embed() call";
  }

  @Override
  public void close() {
    model.close();
  }
}
