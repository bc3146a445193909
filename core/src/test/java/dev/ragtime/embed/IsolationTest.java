package dev.ragtime.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ragtime.provider.EmbeddingException;
import dev.ragtime.provider.NonRetryableEmbeddingException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Through the whole pipeline: an over-long input fails alone and leaves batching as it was, and a
 * text shared by several callers (single-flight) is isolated so only the caller of the bad text
 * fails.
 */
class IsolationTest {
  private final ExecutorService executor =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("isolation-test-", 0).factory());

  @AfterEach
  void close() {
    executor.close();
  }

  private static EmbeddingConfig.Builder openAi(ScriptedProvider server) {
    return EmbeddingConfig.builder()
        .provider(EmbeddingConfig.Provider.OPENAI)
        .baseUrl(server.baseUri())
        .model("m")
        .maxConcurrency(1)
        .maxBatch(32)
        .maxWait(Duration.ofMillis(1));
  }

  /** OpenAI's answer to an input over the model's context, "maximum" and all. */
  private static ScriptedProvider.Answer contextExceeded() {
    return new ScriptedProvider.Answer(
        400,
        Map.of(),
        "{\"error\":{\"message\":\"This model's maximum context length is 50 tokens, however you"
            + " requested 400 tokens. Please reduce your prompt.\",\"type\":"
            + "\"invalid_request_error\",\"param\":null,\"code\":\"context_length_exceeded\"}}");
  }

  private static List<String> texts(String prefix, int n) {
    var out = new ArrayList<String>();
    for (int i = 0; i < n; i++) {
      out.add(prefix + " " + i);
    }
    return out;
  }

  @Test
  void oneOverlongInputFailsAloneAndDoesNotShrinkLaterBatches() throws Exception {
    try (var server =
            new ScriptedProvider(
                (n, inputs) ->
                    inputs.stream().anyMatch(t -> t.length() > 200)
                        ? contextExceeded()
                        : ScriptedProvider.ok(inputs));
        var pipeline =
            EmbeddingPipeline.builder(openAi(server).build()).executor(executor).build()) {
      var withLong = new ArrayList<>(texts("first", 7));
      withLong.add("long ".repeat(100));
      assertThatThrownBy(() -> pipeline.embed(withLong))
          .isInstanceOf(NonRetryableEmbeddingException.class)
          .hasMessageContaining("maximum context length");

      int before = server.requests.size();
      List<String> next = texts("second", 32);
      assertThat(pipeline.embed(next)).hasSize(32);

      // Batching is as it was: the 32 texts left in one request, not in 32 / 2^k pieces.
      assertThat(server.requests.subList(before, server.requests.size())).containsExactly(next);
    }
  }

  @Test
  void aSingleTextTheProviderStillFindsTooLongIsCutAndSentAgain() throws Exception {
    try (var server =
            new ScriptedProvider(
                (n, inputs) ->
                    inputs.stream().anyMatch(t -> t.length() > 100)
                        ? contextExceeded()
                        : ScriptedProvider.ok(inputs));
        var pipeline =
            EmbeddingPipeline.builder(openAi(server).build()).executor(executor).build()) {
      String text = "x".repeat(160);

      List<float[]> vectors = pipeline.embed(List.of(text));

      // 160 characters, then 120, then 90: accepted; its vector is the cut text's.
      assertThat(server.requests)
          .containsExactly(List.of(text), List.of("x".repeat(120)), List.of("x".repeat(90)));
      assertThat(vectors).containsExactly(ScriptedProvider.vectorFor("x".repeat(90)));
    }
  }

  @Test
  void aSharedTextIsRetriedAloneSoOnlyTheCallerOfTheBadTextFails() throws Exception {
    var firstArrived = new CountDownLatch(1);
    var release = new CountDownLatch(1);
    try (var server =
            new ScriptedProvider(
                (n, inputs) -> {
                  if (n == 1) {
                    firstArrived.countDown();
                    try {
                      release.await();
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }
                  return inputs.contains("poison")
                      ? ScriptedProvider.error(400, "invalid input", Map.of())
                      : ScriptedProvider.ok(inputs);
                });
        var pipeline =
            EmbeddingPipeline.builder(openAi(server).build()).executor(executor).build()) {
      // Caller A sends the bad text and a text that caller B will ask for too.
      var a =
          CompletableFuture.supplyAsync(
              () -> pipeline.embed(List.of("poison", "shared")), executor);
      assertThat(firstArrived.await(60, TimeUnit.SECONDS)).isTrue();
      // B joins A's in-flight text (single-flight): no text of B's own is queued.
      var b = CompletableFuture.supplyAsync(() -> pipeline.embed(List.of("shared")), executor);
      while (pipeline.stats().coalesced() < 1) {
        Thread.sleep(1); // waits for a condition, not for time to pass
      }
      release.countDown();

      assertThat(b.get(60, TimeUnit.SECONDS)).containsExactly(ScriptedProvider.vectorFor("shared"));
      assertThatThrownBy(() -> a.get(60, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(EmbeddingException.class)
          .hasMessageContaining("invalid input");
      assertThat(server.requests.getFirst()).containsExactly("poison", "shared");
      assertThat(server.requests).contains(List.of("shared"), List.of("poison"));
    }
  }
}
