package dev.ragtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15.BgeSmallEnV15EmbeddingModel;
import dev.ragtime.embed.EmbeddingModel.Purpose;
import dev.ragtime.embed.ModelInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every local model against LangChain4j's own class for it: each loads the same ONNX file and
 * tokenizer, but through an independent implementation (DJL's tokenizer, LangChain4j's pooling).
 * Texts stay under both sides' limits, so neither truncates (LangChain4j's MiniLM tokenizers stop
 * at 128 word-pieces; longer texts it splits and averages instead of truncating).
 */
class LocalModelsAgreementTest {

  @TempDir static Path cache;

  /** The short sentences of {@link OnnxEmbeddingModelTest}, then passages of growing length. */
  static List<String> texts(int maxWordPieces, OnnxEmbeddingModel model) {
    List<String> all = new ArrayList<>(OnnxEmbeddingModelTest.SENTENCES);
    StringBuilder passage = new StringBuilder();
    for (int i = 0; i < 12; i++) {
      passage
          .append("Paragraph ")
          .append(i)
          .append(": dense retrieval encodes queries and passages into vectors, while BM25 scores")
          .append(" term overlap; hybrid search fuses both rankings to combine their strengths. ");
      all.add(passage.toString());
    }
    // Strictly under the limit with [CLS] and [SEP] counted.
    TokenCountingFilter filter = new TokenCountingFilter(model, maxWordPieces - 2);
    return all.stream().filter(filter::fits).toList();
  }

  private record TokenCountingFilter(OnnxEmbeddingModel model, int limit) {
    boolean fits(String text) {
      return model.tokenCounter().count(text) < limit;
    }
  }

  static Stream<Arguments> models() {
    return Stream.of(
        Arguments.of(
            LocalModel.ALL_MINILM_L6_V2, 128, (Supplier<?>) AllMiniLmL6V2EmbeddingModel::new),
        Arguments.of(
            LocalModel.ALL_MINILM_L6_V2_Q,
            128,
            (Supplier<?>) AllMiniLmL6V2QuantizedEmbeddingModel::new),
        Arguments.of(
            LocalModel.BGE_SMALL_EN_V15, 510, (Supplier<?>) BgeSmallEnV15EmbeddingModel::new));
  }

  @ParameterizedTest
  @MethodSource("models")
  void passagesAndQueriesMatchLangChain4jsClass(
      LocalModel declared, int referenceLimit, Supplier<?> reference) {
    AbstractInProcessEmbeddingModel theirs = (AbstractInProcessEmbeddingModel) reference.get();
    try (OnnxEmbeddingModel ours =
        OnnxEmbeddingModel.load(OnnxModelConfig.defaults(declared, cache))) {
      List<String> texts = texts(Math.min(referenceLimit, declared.maxTokens()), ours);
      assertThat(texts).hasSizeGreaterThanOrEqualTo(20);
      assertThat(texts.stream().mapToInt(String::length).max().orElseThrow())
          .as("the longest text, in characters")
          .isGreaterThan(300);

      List<float[]> passages = ours.embed(texts, Purpose.DOCUMENT);
      List<float[]> queries = ours.embed(texts, Purpose.QUERY);
      for (int i = 0; i < texts.size(); i++) {
        String text = texts.get(i);
        float[] passage = theirs.embed(declared.documentPrefix() + text).content().vector();
        float[] query = theirs.embed(declared.queryPrefix() + text).content().vector();
        assertThat(cosine(passages.get(i), passage))
            .as("%s passage cosine for %s", declared, text)
            .isGreaterThanOrEqualTo(0.9999);
        assertThat(cosine(queries.get(i), query))
            .as("%s query cosine for %s", declared, text)
            .isGreaterThanOrEqualTo(0.9999);
      }
    }
  }

  @Test
  void bgeEmbedsQueriesWithItsInstructionAndPassagesWithout() {
    try (OnnxEmbeddingModel bge =
        OnnxEmbeddingModel.load(OnnxModelConfig.defaults(LocalModel.BGE_SMALL_EN_V15, cache))) {
      String text = "hybrid search fuses BM25 and vector scores";
      float[] passage = bge.embed(List.of(text)).getFirst();
      float[] query = bge.embedQuery(text);
      float[] prefixedPassage =
          bge.embed(List.of(LocalModel.BGE_SMALL_EN_V15.queryPrefix() + text)).getFirst();

      assertThat(cosine(query, passage)).isLessThan(0.99);
      assertThat(cosine(query, prefixedPassage)).isGreaterThan(0.99999);
      assertThat(bge.info())
          .isEqualTo(
              new ModelInfo(
                  "BAAI/bge-small-en-v1.5",
                  384,
                  512,
                  "query-prefix=\"Represent this sentence for searching relevant passages: \""));
    }
  }

  @Test
  void theQuantizedModelIsAnotherVariantOfMiniLm() {
    ModelInfo full = OnnxEmbeddingModel.modelInfo(OnnxModelConfig.defaults(cache));
    ModelInfo quantized =
        OnnxEmbeddingModel.modelInfo(
            OnnxModelConfig.defaults(LocalModel.ALL_MINILM_L6_V2_Q, cache));

    assertThat(full).isEqualTo(OnnxEmbeddingModel.DEFAULT_INFO);
    assertThat(full.variant()).isEmpty();
    assertThat(quantized.id()).isEqualTo(full.id());
    assertThat(quantized.variant()).isEqualTo("int8");
    assertThat(quantized.compatibleWith(full)).isFalse();
    assertThat(quantized.fingerprint()).isNotEqualTo(full.fingerprint());
  }

  @Test
  void settingNamesParseAndUnknownNamesAreListed() {
    for (LocalModel m : LocalModel.values()) {
      assertThat(LocalModel.parse(" " + m.settingName().toUpperCase() + " ")).isEqualTo(m);
    }
    assertThatThrownBy(() -> LocalModel.parse("bge-large"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bge-large")
        .hasMessageContaining("all-minilm-l6-v2, all-minilm-l6-v2-q, bge-small-en-v1.5");
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }
}
