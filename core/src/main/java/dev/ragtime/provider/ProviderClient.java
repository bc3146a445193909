package dev.ragtime.provider;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Sends one embeddings request to one endpoint and turns the answer into vectors or an {@link
 * EmbeddingException}. No retries, no pacing: those are pipeline stages. One OpenTelemetry span
 * ({@code embeddings <model>}, kind CLIENT, GenAI semantic-convention attributes) per call.
 *
 * <p>Thread-safe; shares the {@link HttpClient} it is given, which its creator closes.
 */
public final class ProviderClient {
  static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
  static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("gen_ai.provider.name");
  static final AttributeKey<String> MODEL = AttributeKey.stringKey("gen_ai.request.model");
  static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
  static final AttributeKey<String> SERVER = AttributeKey.stringKey("server.address");
  static final AttributeKey<Long> PORT = AttributeKey.longKey("server.port");
  static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  static final AttributeKey<Long> BATCH_SIZE = AttributeKey.longKey("ragtime.embedding.batch.size");

  private final Endpoint endpoint;
  private final HttpClient http;
  private final Tracer tracer;
  private final InstantSource clock;
  private final Consumer<RateLimitHeaders> rateLimitListener;

  private ProviderClient(
      Endpoint endpoint,
      HttpClient http,
      Tracer tracer,
      InstantSource clock,
      Consumer<RateLimitHeaders> rateLimitListener) {
    this.endpoint = endpoint;
    this.http = http;
    this.tracer = tracer;
    this.clock = clock;
    this.rateLimitListener = rateLimitListener;
  }

  /**
   * Creates a client for one endpoint.
   *
   * @param rateLimitListener told the {@code x-ratelimit-*} state of every response that carried
   *     some, success or error, on the calling thread
   */
  public static ProviderClient create(
      Endpoint endpoint,
      HttpClient http,
      Tracer tracer,
      InstantSource clock,
      Consumer<RateLimitHeaders> rateLimitListener) {
    return new ProviderClient(
        Objects.requireNonNull(endpoint, "endpoint"),
        Objects.requireNonNull(http, "http"),
        Objects.requireNonNull(tracer, "tracer"),
        Objects.requireNonNull(clock, "clock"),
        Objects.requireNonNull(rateLimitListener, "rateLimitListener"));
  }

  /**
   * A pooled HTTP client for provider calls: keep-alive, HTTP/2 where the server offers it over
   * TLS, no redirects, the given connect timeout, and the caller's executor for its asynchronous
   * work. The caller closes it (which waits for in-flight exchanges to finish).
   */
  public static HttpClient newHttpClient(Duration connectTimeout, Executor executor) {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_2)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(connectTimeout)
        .executor(executor)
        .build();
  }

  public Endpoint endpoint() {
    return endpoint;
  }

  /**
   * Embeds the texts in one request, bounded by the endpoint's timeout.
   *
   * @see #embed(List, Duration)
   */
  public ProviderResponse embed(List<String> texts) {
    return embed(texts, endpoint.timeout());
  }

  /**
   * Embeds the texts in one request that may take at most {@code limit}, or the endpoint's timeout
   * if that is shorter, from sending to the last byte of the answer. The bound is hard: the JDK's
   * own request timeout stops counting once the response headers have arrived, so a server that
   * sends headers and part of a body and then goes silent would otherwise hold the caller forever.
   * When the bound passes the exchange is cancelled (its connection is closed) and the call fails
   * with a {@link ProviderUnavailableException} whose {@link ProviderUnavailableException#timeout}
   * is true.
   *
   * @param texts at least one text
   * @param limit the longest the exchange may take (the caller's remaining deadline); positive
   * @return one vector per text, in order, as sent by the provider
   * @throws EmbeddingException for every failure; {@link EmbeddingCancelledException} when the
   *     calling thread is interrupted (its interrupt flag is then set, and the exchange cancelled)
   */
  public ProviderResponse embed(List<String> texts, Duration limit) {
    if (texts.isEmpty()) {
      throw new IllegalArgumentException("texts must not be empty");
    }
    if (!limit.isPositive()) {
      throw new IllegalArgumentException("limit must be positive, was " + limit);
    }
    Duration bound = limit.compareTo(endpoint.timeout()) < 0 ? limit : endpoint.timeout();
    var uri = endpoint.requestUri();
    Span span =
        tracer
            .spanBuilder("embeddings " + endpoint.model())
            .setSpanKind(SpanKind.CLIENT)
            .setAttribute(OPERATION, "embeddings")
            .setAttribute(SYSTEM, endpoint.protocol().name().toLowerCase(java.util.Locale.ROOT))
            .setAttribute(MODEL, endpoint.model())
            .setAttribute(SERVER, uri.getHost())
            .setAttribute(PORT, (long) (uri.getPort() > 0 ? uri.getPort() : 0))
            .setAttribute(BATCH_SIZE, (long) texts.size())
            .startSpan();
    Scope scope = span.makeCurrent();
    try {
      ProviderResponse response = send(uri, texts, bound, span);
      response.promptTokens().ifPresent(t -> span.setAttribute(INPUT_TOKENS, (long) t));
      return response;
    } catch (EmbeddingException e) {
      span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
      span.setAttribute(ERROR_TYPE, e.getClass().getSimpleName());
      throw e;
    } finally {
      scope.close();
      span.end();
    }
  }

  private ProviderResponse send(java.net.URI uri, List<String> texts, Duration bound, Span span) {
    var builder =
        HttpRequest.newBuilder(uri)
            .timeout(bound)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(ProviderCodec.encode(endpoint, texts)));
    if ("http".equalsIgnoreCase(uri.getScheme())) {
      // No h2c upgrade dance on cleartext: plain HTTP/1.1 keep-alive.
      builder.version(HttpClient.Version.HTTP_1_1);
    }
    endpoint.apiKey().ifPresent(k -> builder.header("Authorization", "Bearer " + k.reveal()));
    long start = System.nanoTime();
    HttpResponse<byte[]> response;
    CompletableFuture<HttpResponse<byte[]>> exchange =
        http.sendAsync(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
    try {
      response = exchange.get(bound.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      exchange.cancel(true); // aborts the exchange and closes its connection
      throw ErrorMapper.fromIoException(
          new HttpTimeoutException("no complete answer in time"), endpoint, texts.size(), bound);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw ErrorMapper.fromIoException(io, endpoint, texts.size(), bound);
      }
      throw ErrorMapper.fromIoException(
          new IOException(String.valueOf(cause), cause), endpoint, texts.size(), bound);
    } catch (CancellationException e) {
      throw new EmbeddingCancelledException(
          "the request to " + endpoint.label() + " was cancelled", e);
    } catch (InterruptedException e) {
      exchange.cancel(true);
      Thread.currentThread().interrupt();
      throw new EmbeddingCancelledException("interrupted while waiting for " + endpoint.label(), e);
    }
    Duration latency = Duration.ofNanos(System.nanoTime() - start);
    span.setAttribute(STATUS, (long) response.statusCode());
    RateLimitHeaders limits = RateLimitHeaders.parse(response.headers());
    if (limits.present()) {
      rateLimitListener.accept(limits);
    }
    int status = response.statusCode();
    if (status < 200 || status > 299) {
      throw ErrorMapper.fromResponse(
          status, response.headers(), response.body(), endpoint, texts.size(), clock);
    }
    ProviderCodec.Decoded decoded;
    try {
      decoded = ProviderCodec.decode(endpoint.protocol(), response.body());
    } catch (IOException | RuntimeException e) {
      throw new MalformedResponseException(
          "unreadable embeddings response from "
              + endpoint.label()
              + " (model "
              + endpoint.model()
              + "): "
              + e.getMessage(),
          endpoint.label(),
          e);
    }
    if (decoded.vectors().size() != texts.size()) {
      throw new MalformedResponseException(
          endpoint.label()
              + " returned "
              + decoded.vectors().size()
              + " vectors for "
              + texts.size()
              + " inputs",
          endpoint.label(),
          null);
    }
    int dim = decoded.vectors().getFirst().length;
    for (float[] v : decoded.vectors()) {
      if (v.length != dim || dim == 0) {
        throw new MalformedResponseException(
            endpoint.label() + " returned vectors of different lengths in one response",
            endpoint.label(),
            null);
      }
    }
    return new ProviderResponse(decoded.vectors(), decoded.promptTokens(), limits, latency);
  }
}
