package dev.ragtime.bench.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ragtime.onnx.LocalModel;
import dev.ragtime.onnx.OnnxEmbeddingModel;
import dev.ragtime.onnx.OnnxModelConfig;
import dev.ragtime.testing.SharedData;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local-embedding benchmark's contenders on a few SciFact chunks, in this JVM: each must return
 * the same vectors as Ragtime's runner (so the benchmark compares equal work), and the workload
 * must stay under LangChain4j's 128-word-piece limit. Asserts correctness, never speed.
 */
class LocalEmbeddingSmokeTest {
  @TempDir static Path natives;
  @TempDir Path scratch;

  @Test
  void everyContenderReturnsRagtimesVectorsForTheSameChunks() throws Exception {
    Path corpus = SharedData.file("beir/scifact/corpus.jsonl");
    EmbeddingWorkload workload;
    try (OnnxEmbeddingModel model = OnnxEmbeddingModel.load(OnnxModelConfig.defaults(natives))) {
      workload = EmbeddingWorkload.fromCorpus(corpus, 24, 4, 120, model.tokenCounter());
    }
    assertThat(workload.maxWordPieces()).isLessThanOrEqualTo(120);
    Path file = scratch.resolve("workload.tsv");
    workload.write(file);
    EmbeddingWorkload read = EmbeddingWorkload.read(file);
    assertThat(read.texts()).isEqualTo(workload.texts());
    assertThat(read.documents()).isEqualTo(workload.documents());
    assertThat(read.warmup()).isEqualTo(workload.warmup());

    List<float[]> reference;
    try (Embedder ragtime = new RagtimeOnnx(LocalModel.DEFAULT, natives)) {
      reference = ragtime.embed(workload.texts(), workload.documents());
    }
    try (Embedder plain = new PlainOnnxLoop(8, false);
        Embedder langChain4j = new LangChain4jLocal(LocalModel.DEFAULT);
        Embedder pipeline = new RagtimePipeline(natives, scratch.resolve("pipeline"))) {
      for (Embedder e : List.of(plain, langChain4j, pipeline)) {
        List<float[]> vectors = e.embed(workload.texts(), workload.documents());
        assertThat(vectors).as(e.settings()).hasSameSizeAs(reference);
        for (int i = 0; i < vectors.size(); i++) {
          assertThat(cosine(vectors.get(i), reference.get(i)))
              .as("%s, text %d", e.settings(), i)
              .isGreaterThan(0.9999);
        }
      }
      assertThat(plain.inferenceSeconds()).isPositive();
    }
  }

  private static double cosine(float[] a, float[] b) {
    double dot = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
    }
    return dot;
  }
}
