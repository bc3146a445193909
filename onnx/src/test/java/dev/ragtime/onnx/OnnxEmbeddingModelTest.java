package dev.ragtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.ragtime.chunk.TokenCounter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the real model; it is loaded once for the whole class (about a second). */
class OnnxEmbeddingModelTest {

  /** Varied inputs, each well under LangChain4j's 128 word-piece limit. */
  static final List<String> SENTENCES =
      List.of(
          "Hi",
          "a",
          "The quick brown fox jumps over the lazy dog.",
          "0-dimensional biomaterials lack inductive properties.",
          "What's the capital of France?!? Paris... or is it?",
          "Prices rose 3.7% in Q2 2024, to $1,299.99 per unit (±0.5).",
          "Call +1 (555) 010-9999 or mail someone@example.org before 2025-01-31T12:00Z.",
          "naïve café résumé – Ångström, Zürich, façade",
          "東京は日本の首都です。",
          "Москва — столица России.",
          "Η γρήγορη καφέ αλεπού",
          "Emoji are tokens too 😀🚀🎉",
          "for (int i = 0; i < n; i++) { sum += a[i] * b[i]; }",
          "SELECT id, title FROM docs WHERE score > 0.5 ORDER BY score DESC LIMIT 10;",
          "def embed(texts: list[str]) -> list[list[float]]: return model.encode(texts)",
          "MiXeD CaSe WoRdS and ALL CAPS SHOUTING",
          "https://example.com/path?query=value&other=42#fragment",
          "   leading and trailing whitespace\t\n  ",
          "Hyphen-ated, slash/separated and under_scored identifiers",
          "Vitamin D deficiency is associated with increased risk of cardiovascular disease in"
              + " observational studies, although randomized controlled trials have not shown a"
              + " consistent benefit of supplementation on major cardiovascular events.",
          "In 1905, Albert Einstein published four papers: on the photoelectric effect, Brownian"
              + " motion, special relativity, and mass-energy equivalence (E = mc^2). Together they"
              + " changed physics; the first earned him the 1921 Nobel Prize.",
          "Retrieval-augmented generation combines a retriever, which finds passages relevant to"
              + " a question, with a generator that writes an answer grounded in those passages;"
              + " hybrid retrieval fuses BM25 and dense vector scores.",
          "¿Dónde está la biblioteca? Ça va? Grüß Gott! Dziękuję.",
          "<p>HTML <b>markup</b> &amp; entities</p>");

  @TempDir static Path cache;

  static OnnxEmbeddingModel model;
  static AllMiniLmL6V2EmbeddingModel langChain4j;
  static HuggingFaceTokenizer referenceTokenizer;

  @BeforeAll
  static void load() throws IOException {
    model = OnnxEmbeddingModel.load(OnnxModelConfig.defaults(cache));
    langChain4j = new AllMiniLmL6V2EmbeddingModel();
    try (InputStream json =
        OnnxEmbeddingModel.class.getResourceAsStream(OnnxEmbeddingModel.TOKENIZER_RESOURCE)) {
      referenceTokenizer =
          HuggingFaceTokenizer.newInstance(json, Map.of("truncation", "false", "padding", "false"));
    }
  }

  @AfterAll
  static void close() {
    model.close();
    referenceTokenizer.close();
  }

  @Test
  void vectorsMatchLangChain4jsIndependentImplementation() {
    assertThat(SENTENCES).hasSizeGreaterThanOrEqualTo(20);
    List<float[]> ours = model.embed(SENTENCES);
    List<Embedding> theirs =
        langChain4j.embedAll(SENTENCES.stream().map(TextSegment::from).toList()).content();

    for (int i = 0; i < SENTENCES.size(); i++) {
      assertThat(referenceTokenizer.encode(SENTENCES.get(i)).getIds().length)
          .as("word-pieces of %s", SENTENCES.get(i))
          .isLessThan(128);
      assertThat(cosine(ours.get(i), theirs.get(i).vector()))
          .as("cosine to LangChain4j for %s", SENTENCES.get(i))
          .isGreaterThanOrEqualTo(0.9999);
    }
  }

  @Test
  void batchedVectorsEqualSingleTextVectorsInInputOrder() {
    List<float[]> batched = model.embed(SENTENCES);

    assertThat(batched).hasSameSizeAs(SENTENCES);
    for (int i = 0; i < SENTENCES.size(); i++) {
      float[] single = model.embed(List.of(SENTENCES.get(i))).get(0);
      assertThat(cosine(batched.get(i), single))
          .as("batched vs single for %s", SENTENCES.get(i))
          .isGreaterThan(0.99999);
    }
  }

  @Test
  void vectorsHave384UnitLengthDimensions() {
    List<float[]> vectors = model.embed(SENTENCES);

    for (float[] vector : vectors) {
      assertThat(vector).hasSize(384);
      assertThat(norm(vector)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    }
    assertThat(model.info())
        .isEqualTo(
            new dev.ragtime.embed.ModelInfo("sentence-transformers/all-MiniLM-L6-v2", 384, 256));
  }

  @Test
  void differentTextsGetDifferentVectorsAndDuplicatesTheSame() {
    List<float[]> vectors =
        model.embed(List.of("cats purr", "quarterly tax filing", "cats purr", ""));

    assertThat(cosine(vectors.get(0), vectors.get(2))).isGreaterThan(0.99999);
    assertThat(cosine(vectors.get(0), vectors.get(1))).isLessThan(0.5);
    assertThat(norm(vectors.get(3))).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
  }

  @Test
  void textsLongerThan256WordPiecesAreTruncatedAndCounted() {
    String longText = words(400, 1);
    assertThat(referenceTokenizer.encode(longText, false, false).getIds().length)
        .isGreaterThan(256);
    long before = model.truncatedInputs();

    float[] vector = model.embed(List.of(longText)).get(0);
    float[] withDifferentTail =
        model.embed(List.of(longText + " followed by a tail that truncation drops")).get(0);

    assertThat(model.truncatedInputs()).isEqualTo(before + 2);
    assertThat(cosine(vector, withDifferentTail)).isGreaterThan(0.99999);
    assertThat(cosine(vector, model.embed(List.of(words(120, 1))).get(0))).isLessThan(0.99);
  }

  @Test
  void truncationKeepsTheFirst254WordPiecesBetweenClsAndSep() {
    // The second text is long enough to be tokenised from a prefix first.
    for (String text : List.of(words(400, 2), words(1500, 3))) {
      long[] full = referenceTokenizer.encode(text, true, false).getIds();
      long[] expected = Arrays.copyOf(full, 256);
      expected[255] = full[full.length - 1];

      assertThat(model.tokenize(text)).as("%d characters", text.length()).containsExactly(expected);
    }
    assertThat(words(1500, 3).length()).isGreaterThan(2 * 8 * 256);
  }

  @Test
  void textsWithinTheLimitAreNotTruncated() {
    long before = model.truncatedInputs();

    model.embed(SENTENCES);

    assertThat(model.truncatedInputs()).isEqualTo(before);
  }

  @Test
  void tokenCounterAgreesWithTheTokenizerAndIgnoresTheLimit() {
    TokenCounter counter = model.tokenCounter();
    List<String> texts = new ArrayList<>(SENTENCES);
    texts.add("");
    texts.add(words(400, 4));

    for (String text : texts) {
      int expected = referenceTokenizer.encode(text, false, false).getIds().length;
      assertThat(counter.count(text)).as("word-pieces of %s", text).isEqualTo(expected);
    }
    for (String sentence : SENTENCES) {
      assertThat(counter.count(sentence)).isEqualTo(model.tokenize(sentence).length - 2);
    }
    assertThat(counter.count("")).isZero();
  }

  @Test
  void anEmptyListGivesAnEmptyList() {
    assertThat(model.embed(List.of())).isEmpty();
  }

  @Test
  void nullTextsAreRejected() {
    assertThatThrownBy(() -> model.embed(Collections.singletonList(null)))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("texts[0]");
    assertThatThrownBy(() -> model.embed(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void concurrentCallersGetTheSameVectorsAsOneCaller() throws Exception {
    List<float[]> expected = model.embed(SENTENCES);
    List<Future<List<float[]>>> results = new ArrayList<>();

    try (ExecutorService callers =
        Executors.newThreadPerTaskExecutor(
            Thread.ofPlatform().name("embed-caller-", 0).factory())) {
      for (int caller = 0; caller < 4; caller++) {
        List<String> shuffled = new ArrayList<>(SENTENCES);
        Collections.shuffle(shuffled, new Random(caller));
        results.add(
            callers.submit(
                () -> {
                  List<float[]> vectors = model.embed(shuffled);
                  List<float[]> inSentenceOrder = new ArrayList<>();
                  for (String sentence : SENTENCES) {
                    inSentenceOrder.add(vectors.get(shuffled.indexOf(sentence)));
                  }
                  return inSentenceOrder;
                }));
      }
      for (Future<List<float[]>> result : results) {
        List<float[]> vectors = result.get();
        for (int i = 0; i < SENTENCES.size(); i++) {
          assertThat(cosine(vectors.get(i), expected.get(i))).isGreaterThan(0.99999);
        }
      }
    }
  }

  @Test
  void anInterruptedCallerGetsCancellationWithItsFlagRestored() {
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> model.embed(List.of("interrupted")))
          .isInstanceOf(CancellationException.class);
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void closingIsIdempotentAndLaterCallsFail() {
    OnnxEmbeddingModel second = OnnxEmbeddingModel.load(OnnxModelConfig.defaults(cache));
    TokenCounter counter = second.tokenCounter();
    assertThat(second.embed(List.of("still open"))).hasSize(1);

    second.close();
    second.close();

    assertThatThrownBy(() -> second.embed(List.of("closed")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> counter.count("closed"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThat(model.embed(List.of("the other instance still works"))).hasSize(1);
  }

  /** {@code count} pseudo-random English words, reproducible from {@code seed}. */
  static String words(int count, long seed) {
    String[] vocabulary = {
      "protein",
      "expression",
      "increases",
      "the",
      "risk",
      "of",
      "cells",
      "in",
      "patients",
      "with",
      "significantly",
      "reduced",
      "mortality",
      "after",
      "treatment",
      "during",
      "clinical",
      "trials",
      "immune",
      "response",
      "is",
      "associated",
      "mice",
      "receptor",
      "signalling",
      "pathways",
      "decreases",
      "tumour",
      "growth",
      "and",
      "inflammation",
      "2019",
      "cohort",
      "analysis"
    };
    Random random = new Random(seed);
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < count; i++) {
      if (i > 0) {
        text.append(i % 17 == 0 ? ". " : " ");
      }
      text.append(vocabulary[random.nextInt(vocabulary.length)]);
    }
    return text.toString();
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
    }
    return dot / (norm(a) * norm(b));
  }

  static double norm(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    return Math.sqrt(sum);
  }
}
