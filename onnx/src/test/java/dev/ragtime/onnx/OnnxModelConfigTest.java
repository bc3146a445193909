package dev.ragtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class OnnxModelConfigTest {

  private static final Path CACHE = Path.of("cache");

  @Test
  void defaultsRunAtSentenceTransformersLengthOnAllProcessors() {
    OnnxModelConfig config = OnnxModelConfig.defaults(CACHE);

    assertThat(config.maxTokens()).isEqualTo(256);
    assertThat(config.batchSize()).isEqualTo(OnnxModelConfig.DEFAULT_BATCH_SIZE);
    assertThat(config.intraOpThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(config.cacheDir().isAbsolute()).isTrue();
    assertThat(config.cacheDir().endsWith(CACHE)).isTrue();
  }

  @Test
  void withersReplaceOneFieldOnly() {
    OnnxModelConfig config =
        OnnxModelConfig.defaults(CACHE).withMaxTokens(512).withBatchSize(8).withIntraOpThreads(1);

    assertThat(config).isEqualTo(new OnnxModelConfig(1, 512, 8, CACHE.toAbsolutePath()));
  }

  @Test
  void rejectsOutOfRangeValuesNamingThem() {
    OnnxModelConfig base = OnnxModelConfig.defaults(CACHE);

    assertThatThrownBy(() -> base.withMaxTokens(513))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxTokens")
        .hasMessageContaining("513");
    assertThatThrownBy(() -> base.withMaxTokens(2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was 2");
    assertThatThrownBy(() -> base.withBatchSize(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("batchSize")
        .hasMessageContaining("was 0");
    assertThatThrownBy(() -> base.withIntraOpThreads(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("intraOpThreads")
        .hasMessageContaining("was 0");
    assertThatThrownBy(() -> base.withCacheDir(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void modelIdentityIsKnownWithoutLoadingTheModel() {
    assertThat(OnnxEmbeddingModel.modelInfo(OnnxModelConfig.defaults(CACHE)))
        .isEqualTo(OnnxEmbeddingModel.DEFAULT_INFO);
    assertThat(OnnxEmbeddingModel.DEFAULT_INFO.id())
        .isEqualTo("sentence-transformers/all-MiniLM-L6-v2");
    assertThat(OnnxEmbeddingModel.DEFAULT_INFO.dimension()).isEqualTo(384);
    assertThat(OnnxEmbeddingModel.modelInfo(OnnxModelConfig.defaults(CACHE).withMaxTokens(128)))
        .matches(info -> info.maxTokens() == 128)
        // The truncation changes vectors, so it is part of the identity (issue 8, defect 8).
        .matches(info -> !info.compatibleWith(OnnxEmbeddingModel.DEFAULT_INFO));
  }
}
