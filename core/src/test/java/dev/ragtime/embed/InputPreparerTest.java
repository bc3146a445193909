package dev.ragtime.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ragtime.chunk.TokenCounter;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Normalising, keying, de-duplicating and (for OpenAI-compatible servers) cutting inputs. */
class InputPreparerTest {
  /** One token per character: cuts are easy to predict. */
  private static final TokenCounter CHARS = String::length;

  private static InputPreparer preparer(EmbeddingConfig.Provider provider, int maxInputTokens) {
    var b = EmbeddingConfig.builder().provider(provider).maxInputTokens(maxInputTokens);
    if (provider != EmbeddingConfig.Provider.LOCAL) {
      b.baseUrl("http://127.0.0.1:1").model("m");
    }
    return new InputPreparer("ns", b.build(), CHARS);
  }

  @Test
  void equalTextsAfterNormalisingShareOneKeyAndOneTextToSend() {
    var p = preparer(EmbeddingConfig.Provider.OLLAMA, 100);
    InputPreparer.Prepared r =
        p.prepare(List.of("  alpha ", "beta", "alpha", "e\u0301"), EmbeddingModel.Purpose.DOCUMENT);

    assertThat(r.keys()[0]).isEqualTo(r.keys()[2]).isNotEqualTo(r.keys()[1]);
    assertThat(r.keys()[0]).isEqualTo(TextKey.key("ns", "alpha"));
    assertThat(r.keys()[3]).as("NFC").isEqualTo(TextKey.key("ns", "\u00e9"));
    assertThat(r.textOf())
        .containsExactly(
            java.util.Map.entry(r.keys()[0], "alpha"),
            java.util.Map.entry(r.keys()[1], "beta"),
            java.util.Map.entry(r.keys()[3], "\u00e9"));
  }

  @Test
  void queriesAreKeyedApartFromPassages() {
    var p = preparer(EmbeddingConfig.Provider.OLLAMA, 100);
    String passage = p.prepare(List.of("alpha"), EmbeddingModel.Purpose.DOCUMENT).keys()[0];
    String query = p.prepare(List.of("alpha"), EmbeddingModel.Purpose.QUERY).keys()[0];
    assertThat(query).isEqualTo(TextKey.key("ns|query", "alpha")).isNotEqualTo(passage);
  }

  @Test
  void remoteProvidersRefuseBlankTextsNamingTheIndexButTheLocalModelTakesThem() {
    assertThatThrownBy(
            () ->
                preparer(EmbeddingConfig.Provider.OLLAMA, 100)
                    .prepare(List.of("a", " \n"), EmbeddingModel.Purpose.DOCUMENT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("text at index 1 is blank; embedding providers reject empty input");
    var local =
        preparer(EmbeddingConfig.Provider.LOCAL, 100)
            .prepare(List.of("a", " \n"), EmbeddingModel.Purpose.DOCUMENT);
    assertThat(local.textOf()).containsValues("a", "");
    assertThatThrownBy(
            () ->
                preparer(EmbeddingConfig.Provider.LOCAL, 100)
                    .prepare(Arrays.asList("a", null), EmbeddingModel.Purpose.DOCUMENT))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("texts contains null");
  }

  @Test
  void onlyOpenAiCompatibleInputsAreCutAndThenToTheLimitAndKeyedAsSent() {
    String text = "x".repeat(50);
    var openai = preparer(EmbeddingConfig.Provider.OPENAI, 10);
    assertThat(openai.truncate("x".repeat(10))).as("exactly the limit").hasSize(10);
    String cut = openai.truncate(text);
    assertThat(cut).hasSizeLessThanOrEqualTo(10).hasSizeGreaterThan(5);
    var r = openai.prepare(List.of(text), EmbeddingModel.Purpose.DOCUMENT);
    assertThat(r.textOf()).containsValue(cut);
    assertThat(r.keys()[0]).isEqualTo(TextKey.key("ns", cut));

    assertThat(preparer(EmbeddingConfig.Provider.OLLAMA, 10).truncate(text)).isEqualTo(text);
    assertThat(openai.tokens("abc")).isEqualTo(3);
  }

  @Test
  void aCutFirstTakesFourCharactersPerTokenThenShrinksByTenths() {
    // Two tokens per character: four characters per token would still be eight times too long.
    var b =
        EmbeddingConfig.builder()
            .provider(EmbeddingConfig.Provider.OPENAI)
            .baseUrl("http://127.0.0.1:1")
            .model("m")
            .maxInputTokens(10);
    var p = new InputPreparer("ns", b.build(), t -> 2 * t.length());
    String cut = p.truncate("y".repeat(100));
    // 100 -> 40 -> 36 -> 32 -> 28 -> 25 -> 22 -> 19 -> 17 -> 15 -> 13 -> 11 -> 9 -> 8 -> 7 -> 6 ->
    // 5
    assertThat(cut).hasSize(5);
    var one = new InputPreparer("ns", b.maxInputTokens(1).build(), t -> 2 * t.length());
    assertThat(one.truncate("zz")).as("never cut to nothing").isEqualTo("z");
  }
}
