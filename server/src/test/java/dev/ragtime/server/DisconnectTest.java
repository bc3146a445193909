package dev.ragtime.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ragtime.embed.EmbeddingConfig;
import dev.ragtime.embed.EmbeddingModel;
import dev.ragtime.embed.EmbeddingPipeline;
import dev.ragtime.embed.ModelInfo;
import dev.ragtime.testing.FakeEmbeddingModel;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that disconnects while its texts wait in the embedding pipeline: the server notices,
 * interrupts the request, and the pipeline drops the texts instead of embedding them.
 */
class DisconnectTest {
  @TempDir Path tmp;

  /** Records every text it embeds; its first call blocks until released. */
  static final class BlockingModel implements EmbeddingModel {
    final FakeEmbeddingModel inner = new FakeEmbeddingModel();
    final Set<String> seen = ConcurrentHashMap.newKeySet();
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public ModelInfo info() {
      return inner.info();
    }

    @Override
    public List<float[]> embed(List<String> texts) {
      seen.addAll(texts);
      entered.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
      return inner.embed(texts);
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("never happened: " + what);
      }
      TimeUnit.MILLISECONDS.sleep(10);
    }
  }

  private static double disconnects(TestServer s) {
    var c = s.meters.find("ragtime.http.server.disconnects").counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void aClientThatDisconnectsHasItsQueuedTextsDroppedNotEmbedded() throws Exception {
    var model = new BlockingModel();
    try (var threads = Executors.newVirtualThreadPerTaskExecutor();
        var pipeline =
            EmbeddingPipeline.builder(
                    EmbeddingConfig.builder().maxConcurrency(1).maxWait(Duration.ZERO).build())
                .executor(threads)
                .localModel(model)
                .cacheDirectory(tmp.resolve("cache"))
                .build();
        var s = new TestServer(tmp.resolve("data"), ServerConfig.defaults(), null, pipeline)) {
      // A first client's text holds the pipeline's only batch slot.
      var first =
          CompletableFuture.supplyAsync(
              () ->
                  s.postJson(
                      "/v1/embeddings",
                      "/v1/embeddings",
                      "{\"input\":\"the blocker\",\"model\":\"default\"}"),
              threads);
      assertThat(model.entered.await(60, TimeUnit.SECONDS)).isTrue();

      // A second client's text queues behind it; the client then goes away.
      String body = "{\"input\":\"abandoned by its client\",\"model\":\"default\"}";
      try (Socket socket = new Socket("127.0.0.1", s.server.port())) {
        OutputStream out = socket.getOutputStream();
        out.write(
            ("POST /v1/embeddings HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/json\r\nContent-Length: "
                    + body.getBytes(StandardCharsets.UTF_8).length
                    + "\r\n\r\n"
                    + body)
                .getBytes(StandardCharsets.UTF_8));
        out.flush();
        await(() -> pipeline.stats().queued() == 1, "the second text is queued");
      }
      await(() -> disconnects(s) == 1, "the server counts the disconnect");

      model.release.countDown();
      assertThat(first.get(60, TimeUnit.SECONDS).status()).isEqualTo(200);
      // Texts leave the queue in order: once a later text is embedded, the abandoned one would
      // have been too, had it not been dropped.
      var later =
          s.postJson(
              "/v1/embeddings",
              "/v1/embeddings",
              "{\"input\":\"sent afterwards\",\"model\":\"default\"}");
      assertThat(later.status()).isEqualTo(200);
      assertThat(model.seen).contains("the blocker", "sent afterwards");
      assertThat(model.seen).doesNotContain("abandoned by its client");
      assertThat(
              s.meters
                  .find("ragtime.http.server.requests")
                  .tag("route", "/v1/embeddings")
                  .tag("status", "499")
                  .timer())
          .isNotNull();
    }
  }

  @Test
  void aClientThatStaysConnectedIsNotCountedAsGone() throws Exception {
    try (var s = new TestServer(tmp.resolve("data"))) {
      s.put("/v1/collections/{name}", "/v1/collections/kept");
      var r =
          s.postJson(
              "/v1/collections/{name}/search",
              "/v1/collections/kept/search",
              "{\"query\":\"anything\"}");
      assertThat(r.status()).isEqualTo(200);
      // A second request on the same kept-alive connection is parsed normally after the watch.
      var again =
          s.postJson(
              "/v1/collections/{name}/search",
              "/v1/collections/kept/search",
              "{\"query\":\"anything else\"}");
      assertThat(again.status()).isEqualTo(200);
      assertThat(disconnects(s)).isZero();
    }
  }
}
