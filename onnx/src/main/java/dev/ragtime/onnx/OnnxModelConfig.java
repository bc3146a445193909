package dev.ragtime.onnx;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How to run a local model.
 *
 * @param intraOpThreads threads ONNX Runtime uses inside one inference call, in [1, 256]; the
 *     default is the number of available processors
 * @param maxTokens longest input in word-pieces, counting [CLS] and [SEP], in [{@value
 *     #MIN_MAX_TOKENS}, {@value #MAX_MAX_TOKENS}]; longer inputs are truncated. 256 is what
 *     sentence-transformers uses for this model and what the published MTEB numbers need
 * @param batchSize most texts passed to ONNX Runtime in one call, in [1, {@value #MAX_BATCH_SIZE}]
 * @param cacheDir directory where native libraries and the model file are extracted once and reused
 *     by later runs (for example {@code ~/.cache/ragtime}); created when missing. Nothing is
 *     written to {@code java.io.tmpdir} or {@code ~/.djl.ai}
 * @param model which model to run ({@link LocalModel#DEFAULT} unless {@code local.model} says)
 */
public record OnnxModelConfig(
    int intraOpThreads, int maxTokens, int batchSize, Path cacheDir, LocalModel model) {

  /** sentence-transformers' {@code max_seq_length} for all-MiniLM-L6-v2. */
  public static final int DEFAULT_MAX_TOKENS = 256;

  /** The model's position embeddings end here. */
  public static final int MAX_MAX_TOKENS = 512;

  /** Room for [CLS], one word-piece and [SEP]. */
  public static final int MIN_MAX_TOKENS = 3;

  /**
   * Texts per inference call. Measured on 2 cores with 1,000 short sentences (10 to 40
   * word-pieces): 16 and 32 were fastest, 8 and 64 about 10% slower, 128 about 25% slower, one at a
   * time half as fast. Long texts are further limited by a token budget per batch.
   */
  public static final int DEFAULT_BATCH_SIZE = 32;

  /** Upper bound on {@link #batchSize}. */
  public static final int MAX_BATCH_SIZE = 1024;

  public OnnxModelConfig {
    if (intraOpThreads < 1 || intraOpThreads > 256) {
      throw new IllegalArgumentException(
          "intraOpThreads must be in [1, 256], was " + intraOpThreads);
    }
    if (maxTokens < MIN_MAX_TOKENS || maxTokens > MAX_MAX_TOKENS) {
      throw new IllegalArgumentException(
          "maxTokens must be in ["
              + MIN_MAX_TOKENS
              + ", "
              + MAX_MAX_TOKENS
              + "], was "
              + maxTokens);
    }
    if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
      throw new IllegalArgumentException(
          "batchSize must be in [1, " + MAX_BATCH_SIZE + "], was " + batchSize);
    }
    Objects.requireNonNull(cacheDir, "cacheDir");
    Objects.requireNonNull(model, "model");
    cacheDir = cacheDir.toAbsolutePath().normalize();
  }

  /** A configuration of the default model. */
  public OnnxModelConfig(int intraOpThreads, int maxTokens, int batchSize, Path cacheDir) {
    this(intraOpThreads, maxTokens, batchSize, cacheDir, LocalModel.DEFAULT);
  }

  /** The defaults, with natives and model extracted under {@code cacheDir}. */
  public static OnnxModelConfig defaults(Path cacheDir) {
    return defaults(LocalModel.DEFAULT, cacheDir);
  }

  /**
   * The defaults for {@code model}: its own input limit, natives and model under {@code cacheDir}.
   */
  public static OnnxModelConfig defaults(LocalModel model, Path cacheDir) {
    return new OnnxModelConfig(
        defaultIntraOpThreads(), model.maxTokens(), DEFAULT_BATCH_SIZE, cacheDir, model);
  }

  /** The number of available processors, capped at 256. */
  public static int defaultIntraOpThreads() {
    return Math.min(256, Runtime.getRuntime().availableProcessors());
  }

  /** A copy with {@link #intraOpThreads} replaced. */
  public OnnxModelConfig withIntraOpThreads(int intraOpThreads) {
    return new OnnxModelConfig(intraOpThreads, maxTokens, batchSize, cacheDir, model);
  }

  /** A copy with {@link #maxTokens} replaced. */
  public OnnxModelConfig withMaxTokens(int maxTokens) {
    return new OnnxModelConfig(intraOpThreads, maxTokens, batchSize, cacheDir, model);
  }

  /** A copy with {@link #batchSize} replaced. */
  public OnnxModelConfig withBatchSize(int batchSize) {
    return new OnnxModelConfig(intraOpThreads, maxTokens, batchSize, cacheDir, model);
  }

  /** A copy with {@link #cacheDir} replaced. */
  public OnnxModelConfig withCacheDir(Path cacheDir) {
    return new OnnxModelConfig(intraOpThreads, maxTokens, batchSize, cacheDir, model);
  }

  /** A copy with {@link #model} replaced (the input limit is kept). */
  public OnnxModelConfig withModel(LocalModel model) {
    return new OnnxModelConfig(intraOpThreads, maxTokens, batchSize, cacheDir, model);
  }
}
