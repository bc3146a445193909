package dev.ragtime.bench.local;

import java.util.List;

/**
 * One contender of the local-embedding benchmark: turns texts into unit vectors of
 * all-MiniLM-L6-v2, in input order. Created (model loaded) before the clock starts; closed after.
 */
interface Embedder extends AutoCloseable {

  /**
   * Embeds every text.
   *
   * @param texts the texts
   * @param documents for each text the index of its document; only contenders fed per document use
   *     it
   */
  List<float[]> embed(List<String> texts, int[] documents) throws Exception;

  /** Settings that matter for the comparison, for the report. */
  String settings();

  /**
   * Seconds spent inside ONNX Runtime's {@code run} during the last {@link #embed}, or NaN if the
   * contender does not expose it.
   */
  default double inferenceSeconds() {
    return Double.NaN;
  }

  /** Releases the model; failures surface unchecked. */
  @Override
  void close();
}
