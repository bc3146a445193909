package dev.ragtime.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragtime.provider.Endpoint;
import dev.ragtime.provider.ProviderClient;
import dev.ragtime.provider.ProviderUnavailableException;
import dev.ragtime.provider.WireProtocol;
import io.opentelemetry.api.OpenTelemetry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A server that sends {@code 200} headers and part of the body, then goes silent: the JDK's request
 * timeout no longer applies once headers have arrived, so only the sender's own hard bound ends the
 * exchange. The waits below ({@code get(60, SECONDS)}) only turn a hang into a failure; what is
 * asserted is that the stalled connection was closed by the client and the texts were delivered.
 */
class StalledBodyTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final ExecutorService executor =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("stall-test-", 0).factory());

  @AfterEach
  void close() {
    executor.close();
  }

  /** Stalls the body of the first {@code stalls} requests; answers the others in full. */
  static final class StallingServer implements AutoCloseable {
    final ServerSocket socket;
    final AtomicInteger requests = new AtomicInteger();
    final CountDownLatch stalledClosedByClient = new CountDownLatch(1);
    private final int stalls;
    private final List<Socket> open = new ArrayList<>();
    private final Thread acceptor;

    StallingServer(int stalls) throws IOException {
      this.stalls = stalls;
      this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      this.acceptor = Thread.ofVirtual().start(this::acceptLoop);
    }

    URI baseUri() {
      return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }

    private void acceptLoop() {
      try {
        while (true) {
          Socket s = socket.accept();
          synchronized (open) {
            open.add(s);
          }
          Thread.ofVirtual().start(() -> serve(s));
        }
      } catch (IOException closed) {
        // server closed
      }
    }

    private void serve(Socket s) {
      try (s) {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        while (true) {
          byte[] body = readRequest(in);
          if (body == null) {
            return;
          }
          int n = requests.incrementAndGet();
          JsonNode root = JSON.readTree(body);
          List<String> inputs = new ArrayList<>();
          root.get("input").forEach(i -> inputs.add(i.asText()));
          byte[] answer = ScriptedProvider.ok(inputs).body().getBytes(StandardCharsets.UTF_8);
          String head =
              "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                  + answer.length
                  + "\r\n\r\n";
          out.write(head.getBytes(StandardCharsets.US_ASCII));
          if (n <= stalls) {
            out.write(answer, 0, answer.length / 3); // part of the body, then silence
            out.flush();
            // Wait for the client to give up: it must close the connection.
            while (in.read() >= 0) {
              // discard
            }
            stalledClosedByClient.countDown();
            return;
          }
          out.write(answer);
          out.flush();
        }
      } catch (IOException e) {
        if (requests.get() <= stalls) {
          stalledClosedByClient.countDown(); // reset by the client: closed too
        }
      }
    }

    /** The body of the next request, or null at the end of the connection. */
    private static byte[] readRequest(InputStream in) throws IOException {
      var header = new ByteArrayOutputStream();
      int matched = 0;
      int b;
      while (matched < 4 && (b = in.read()) >= 0) {
        header.write(b);
        matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
      }
      if (matched < 4) {
        return null;
      }
      int length = 0;
      for (String line : header.toString(StandardCharsets.US_ASCII).split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(line.substring("content-length:".length()).strip());
        }
      }
      return in.readNBytes(length);
    }

    @Override
    public void close() throws IOException {
      socket.close();
      synchronized (open) {
        for (Socket s : open) {
          s.close();
        }
      }
      acceptor.interrupt();
    }
  }

  @Test
  void aStalledBodyTimesOutIsCancelledAndTheBatchIsRetried() throws Exception {
    try (var server = new StallingServer(1);
        var pipeline =
            EmbeddingPipeline.builder(
                    EmbeddingConfig.builder()
                        .provider(EmbeddingConfig.Provider.OPENAI)
                        .baseUrl(server.baseUri())
                        .model("m")
                        .timeout(Duration.ofSeconds(1))
                        .maxWait(Duration.ofMillis(1))
                        .build())
                .executor(executor)
                .build()) {
      var call = CompletableFuture.supplyAsync(() -> pipeline.embed(List.of("a", "b")), executor);

      List<float[]> vectors = call.get(60, TimeUnit.SECONDS);

      assertThat(vectors)
          .containsExactly(ScriptedProvider.vectorFor("a"), ScriptedProvider.vectorFor("b"));
      assertThat(server.stalledClosedByClient.await(60, TimeUnit.SECONDS)).isTrue();
      // The stalled request and at least one more (a loaded machine may time out another).
      assertThat(server.requests.get()).isGreaterThanOrEqualTo(2);
      assertThat(pipeline.stats().retries()).isPositive();
    }
  }

  @Test
  void theClientBoundsTheWholeExchangeByTheCallersLimitWhenItIsShorterThanTheTimeout()
      throws Exception {
    try (var server = new StallingServer(Integer.MAX_VALUE);
        var http = ProviderClient.newHttpClient(Duration.ofSeconds(5), executor)) {
      var client =
          ProviderClient.create(
              new Endpoint(
                  server.baseUri(),
                  WireProtocol.OPENAI,
                  "m",
                  Optional.empty(),
                  OptionalInt.empty(),
                  Duration.ofMinutes(10)),
              http,
              OpenTelemetry.noop().getTracer("t"),
              InstantSource.system(),
              h -> {});
      var call =
          CompletableFuture.supplyAsync(
              () -> client.embed(List.of("a"), Duration.ofMillis(300)), executor);

      assertThatThrownBy(() -> call.get(60, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(ProviderUnavailableException.class)
          .hasMessageContaining("PT0.3S")
          .matches(e -> ((ProviderUnavailableException) e).timeout(), "is a timeout");
      assertThat(server.stalledClosedByClient.await(60, TimeUnit.SECONDS)).isTrue();
    }
  }
}
