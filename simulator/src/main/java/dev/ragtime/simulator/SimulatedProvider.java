package dev.ragtime.simulator;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The provider's behaviour for one request, independent of sockets: decides the {@link Outcome}.
 *
 * <p>Order of decisions for an embedding request (each step answers and stops, or goes on):
 *
 * <ol>
 *   <li>wrong method: 405; down switch: 503; 429 storm: 429 ({@link Throttle#STORM});
 *   <li>parse and validate (JSON, fields, model): 400/404 (TEI: 422);
 *   <li>per-request caps, in this order: inputs per request, tokens per input, tokens per request:
 *       400 (TEI: 413);
 *   <li>concurrency limit: 429 ({@link Throttle#CONCURRENCY});
 *   <li>rate limits: 429 ({@link Throttle#REQUESTS} or {@link Throttle#TOKENS}); only an admitted
 *       request is charged, so rejected ones (by any step above) cost no quota;
 *   <li>fault draw (the request stays charged: the provider accepted it and then failed);
 *   <li>latency; vectors; 200.
 * </ol>
 *
 * <p>Randomness: the n-th admitted request (in admission order) draws from a {@link
 * SplittableRandom} seeded with {@code mix64(seed + n × golden gamma)}: first the fault draw, then
 * the jitter draw. A fixed seed and request order therefore reproduce a run, without a shared lock.
 *
 * <p>Thread-safe: switches are volatile, counters lock-free, the rate limiter takes one short lock.
 */
final class SimulatedProvider {

  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

  /** What to do with one request. */
  sealed interface Outcome {}

  /**
   * Send this response.
   *
   * @param headers name, value, name, value, ...
   * @param embedded the texts embedded (non-empty only for a successful embedding response)
   */
  record Reply(
      int status,
      String contentType,
      List<String> headers,
      byte[] body,
      List<String> embedded,
      long tokens)
      implements Outcome {}

  /** Reset the connection without a response (TCP RST). */
  record Reset() implements Outcome {}

  /** Never answer; wait until the client or the simulator closes the connection. */
  record Hang() implements Outcome {}

  /** Close the connection without a response: the simulator is shutting down. */
  record Abort() implements Outcome {}

  /** Per-request state that must be released after the outcome was carried out. */
  static final class InFlight {
    boolean holdsConcurrencySlot;
  }

  private final SimulatorConfig config;
  private final SimulatorCounters counters;
  private final LongSupplier nanoClock;
  private final ObjectMapper json;
  private final RateLimiter limiter;
  private final AtomicInteger admittedInFlight = new AtomicInteger();
  private final AtomicLong admissions = new AtomicLong();
  private final AtomicLong requestIds = new AtomicLong();

  private volatile boolean down;
  private volatile long stormUntilNanos;
  private volatile boolean storming;
  private volatile Faults faults;

  SimulatedProvider(
      SimulatorConfig config,
      SimulatorCounters counters,
      LongSupplier nanoClock,
      ObjectMapper json) {
    this.config = config;
    this.counters = counters;
    this.nanoClock = nanoClock;
    this.json = json;
    this.limiter =
        new RateLimiter(
            config.requestsPerMinute(),
            config.tokensPerMinute(),
            config.burstWindow(),
            nanoClock.getAsLong());
    this.faults = config.faults();
  }

  // ---- switches ----

  void setDown(boolean down) {
    this.down = down;
  }

  boolean isDown() {
    return down;
  }

  void storm429(Duration duration) {
    if (duration.isNegative() || duration.isZero()) {
      storming = false;
      return;
    }
    stormUntilNanos = nanoClock.getAsLong() + duration.toNanos();
    storming = true;
  }

  boolean isStorming() {
    return stormRemainingNanos() > 0;
  }

  private long stormRemainingNanos() {
    if (!storming) {
      return 0;
    }
    return Math.max(0, stormUntilNanos - nanoClock.getAsLong());
  }

  void setFaults(Faults faults) {
    this.faults = faults;
  }

  Faults faults() {
    return faults;
  }

  // ---- requests ----

  /** Whether the request enters the counters: all but {@code /health} and {@code /_sim/*}. */
  boolean counts(Http1.Request request) {
    String path = request.path();
    return !path.equals("/health") && !path.startsWith("/_sim/");
  }

  void release(InFlight inFlight) {
    if (inFlight.holdsConcurrencySlot) {
      inFlight.holdsConcurrencySlot = false;
      admittedInFlight.decrementAndGet();
    }
  }

  Outcome handle(Http1.Request request, InFlight inFlight) {
    String path = request.path();
    if (path.equals("/health")) {
      return plainJson(200, "{\"status\":\"ok\"}");
    }
    if (path.startsWith("/_sim/") && config.adminEndpoints()) {
      return admin(request);
    }
    Optional<Dialect> found = Dialect.forPath(path);
    if (found.isEmpty()) {
      return error(
          Dialect.OPENAI,
          new ApiError(
              ApiError.Kind.NOT_FOUND,
              "Invalid URL (" + request.method() + " " + path + ")",
              "unknown_url"));
    }
    Dialect dialect = found.get();
    if (!request.method().equals("POST")) {
      Reply reply =
          error(
              dialect,
              new ApiError(
                  ApiError.Kind.METHOD_NOT_ALLOWED,
                  "Method " + request.method() + " not allowed on " + path + "; use POST",
                  "method_not_allowed"));
      reply.headers().add("Allow");
      reply.headers().add("POST");
      return reply;
    }
    if (down) {
      return error(
          dialect,
          new ApiError(
              ApiError.Kind.UNAVAILABLE,
              "The server is temporarily unavailable (simulated outage). Please retry later.",
              "service_unavailable"));
    }
    long stormLeft = stormRemainingNanos();
    if (stormLeft > 0) {
      counters.onThrottled(Throttle.STORM);
      return rateLimited(
          dialect,
          stormLeft,
          new ApiError(
              ApiError.Kind.RATE_LIMITED,
              "Rate limit reached (simulated 429 storm). Please try again in "
                  + RateLimiter.formatReset(stormLeft)
                  + ".",
              "rate_limit_exceeded"));
    }

    Dialect.EmbedRequest embed;
    int[] tokens;
    long totalTokens;
    try {
      embed = dialect.parse(parseJson(request.body()), config);
      checkModel(dialect, embed.model());
      tokens = new int[embed.inputs().size()];
      totalTokens = checkCaps(embed.inputs(), tokens);
    } catch (ApiError e) {
      return error(dialect, e);
    }

    if (config.maxConcurrentRequests() > 0) {
      if (admittedInFlight.incrementAndGet() > config.maxConcurrentRequests()) {
        admittedInFlight.decrementAndGet();
        counters.onThrottled(Throttle.CONCURRENCY);
        long retryNanos = Math.max(1_000_000L, config.baseLatency().toNanos());
        return rateLimited(
            dialect,
            retryNanos,
            new ApiError(
                ApiError.Kind.RATE_LIMITED,
                "Too many concurrent requests: limit "
                    + config.maxConcurrentRequests()
                    + ". Please retry shortly.",
                "concurrency_limit_exceeded"));
      }
      inFlight.holdsConcurrencySlot = true;
    }

    Optional<RateLimiter.Rejection> rejection =
        limiter.tryAcquire(nanoClock.getAsLong(), totalTokens);
    if (rejection.isPresent()) {
      RateLimiter.Rejection r = rejection.get();
      counters.onThrottled(r.reason());
      boolean requests = r.reason() == Throttle.REQUESTS;
      return rateLimited(
          dialect,
          r.retryAfterNanos(),
          new ApiError(
              ApiError.Kind.RATE_LIMITED,
              "Rate limit reached for "
                  + embed.model()
                  + (requests ? " on requests per min (RPM)" : " on tokens per min (TPM)")
                  + ": Limit "
                  + r.limit()
                  + ", Used "
                  + r.used()
                  + ", Requested "
                  + r.requested()
                  + ". Please try again in "
                  + RateLimiter.formatReset(r.retryAfterNanos())
                  + ".",
              "rate_limit_exceeded",
              requests ? "requests" : "tokens",
              null));
    }

    long n = admissions.getAndIncrement();
    SplittableRandom random =
        new SplittableRandom(SimulatedEmbeddings.mix64(config.seed() + n * GOLDEN_GAMMA));
    double faultDraw = random.nextDouble();
    double jitterDraw = random.nextDouble();
    Faults currentFaults = faults;
    Optional<Fault> fault = currentFaults.pick(faultDraw);
    long extraNanos = 0;
    if (fault.isPresent()) {
      counters.onFaultInjected(fault.get());
      switch (fault.get()) {
        case RESET -> {
          return new Reset();
        }
        case HANG -> {
          return new Hang();
        }
        case HTTP_500, HTTP_503 -> {
          if (!sleep(config.baseLatency().toNanos())) {
            return new Abort();
          }
          boolean is500 = fault.get() == Fault.HTTP_500;
          return error(
              dialect,
              new ApiError(
                  is500 ? ApiError.Kind.SERVER_ERROR : ApiError.Kind.UNAVAILABLE,
                  is500
                      ? "The server had an error while processing your request. Sorry about that!"
                      : "The engine is currently overloaded, please try again later.",
                  null));
        }
        case HTTP_502 -> {
          if (!sleep(config.baseLatency().toNanos())) {
            return new Abort();
          }
          return reply(502, "text/html", Dialect.badGatewayHtml());
        }
        case SLOW -> extraNanos = currentFaults.slowDelay().toNanos();
      }
    }

    double latency =
        config.baseLatency().toNanos()
            + (double) config.latencyPerToken().toNanos() * totalTokens
            + jitterDraw * config.latencyJitter().toNanos()
            + extraNanos;
    if (!sleep((long) Math.min(latency, (double) Long.MAX_VALUE / 2))) {
      return new Abort();
    }

    List<float[]> vectors = new ArrayList<>(embed.inputs().size());
    for (String text : embed.inputs()) {
      vectors.add(SimulatedEmbeddings.vector(embed.model(), text, embed.dimensions()));
    }
    byte[] body = dialect.success(embed, vectors, totalTokens);
    return new Reply(200, "application/json", headers(), body, embed.inputs(), totalTokens);
  }

  private JsonNode parseJson(byte[] body) throws ApiError {
    try {
      JsonNode root = json.readTree(body);
      if (root == null || !root.isObject()) {
        throw new ApiError(
            ApiError.Kind.INVALID_REQUEST,
            "The request body must be a JSON object.",
            "invalid_json");
      }
      return root;
    } catch (JacksonException e) {
      throw new ApiError(
          ApiError.Kind.INVALID_REQUEST,
          "We could not parse the JSON body of your request: " + e.getOriginalMessage(),
          "invalid_json");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot happen: reading from memory", e);
    }
  }

  private void checkModel(Dialect dialect, String model) throws ApiError {
    if (config.acceptAnyModel() || model.equals(config.model())) {
      return;
    }
    String message =
        dialect == Dialect.OLLAMA
            ? "model \"" + model + "\" not found, try pulling it first"
            : "The model `" + model + "` does not exist or you do not have access to it.";
    throw new ApiError(ApiError.Kind.MODEL_NOT_FOUND, message, "model_not_found");
  }

  /** Fills {@code tokens} and returns their sum, or throws the first cap exceeded. */
  private long checkCaps(List<String> inputs, int[] tokens) throws ApiError {
    if (inputs.size() > config.maxInputsPerRequest()) {
      throw new ApiError(
          ApiError.Kind.TOO_MANY_INPUTS,
          "too many inputs: "
              + inputs.size()
              + " > "
              + config.maxInputsPerRequest()
              + " (maximum inputs per request)",
          "too_many_inputs",
          null,
          "input");
    }
    long total = 0;
    for (int i = 0; i < inputs.size(); i++) {
      int count = SimulatedEmbeddings.countTokens(inputs.get(i));
      if (count > config.maxTokensPerInput()) {
        throw new ApiError(
            ApiError.Kind.INPUT_TOO_LONG,
            "This model's maximum context length is "
                + config.maxTokensPerInput()
                + " tokens, however input "
                + i
                + " has "
                + count
                + " tokens. Please reduce the length of the input.",
            "context_length_exceeded",
            null,
            "input");
      }
      tokens[i] = count;
      total += count;
    }
    if (total > config.maxTokensPerRequest()) {
      throw new ApiError(
          ApiError.Kind.REQUEST_TOO_LARGE,
          "too many tokens in request: "
              + total
              + " > "
              + config.maxTokensPerRequest()
              + " (maximum tokens per request)",
          "max_tokens_per_request",
          null,
          "input");
    }
    return total;
  }

  /**
   * Sleeps; false when interrupted (the simulator is closing), with the interrupt flag restored.
   */
  private static boolean sleep(long nanos) {
    if (nanos <= 0) {
      return true;
    }
    try {
      Thread.sleep(Duration.ofNanos(nanos));
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private List<String> headers() {
    List<String> headers = new ArrayList<>(16);
    headers.add("x-request-id");
    headers.add("req_sim_" + requestIds.incrementAndGet());
    limiter.appendHeaders(nanoClock.getAsLong(), headers);
    return headers;
  }

  private Reply reply(int status, String contentType, byte[] body) {
    return new Reply(status, contentType, headers(), body, List.of(), 0);
  }

  private Reply error(Dialect dialect, ApiError error) {
    return reply(dialect.status(error.kind), "application/json", dialect.error(json, error));
  }

  private Reply rateLimited(Dialect dialect, long retryAfterNanos, ApiError error) {
    Reply reply = error(dialect, error);
    long millis = Math.max(1, Math.ceilDiv(retryAfterNanos, 1_000_000L));
    reply.headers().add("Retry-After");
    reply.headers().add(Long.toString(Math.max(1, Math.ceilDiv(millis, 1000L))));
    reply.headers().add("retry-after-ms");
    reply.headers().add(Long.toString(millis));
    return reply;
  }

  private static Reply plainJson(int status, String body) {
    return new Reply(
        status,
        "application/json",
        new ArrayList<>(),
        body.getBytes(StandardCharsets.UTF_8),
        List.of(),
        0);
  }

  // ---- admin endpoints (standalone use) ----

  private Outcome admin(Http1.Request request) {
    String path = request.path();
    try {
      switch (path) {
        case "/_sim/counters" -> {
          return new Reply(
              200,
              "application/json",
              new ArrayList<>(),
              json.writeValueAsBytes(counters.snapshot()),
              List.of(),
              0);
        }
        case "/_sim/reset" -> counters.reset();
        case "/_sim/down" ->
            setDown(Boolean.parseBoolean(request.queryParameter("on").orElse("true")));
        case "/_sim/storm" ->
            storm429(Duration.ofMillis(Long.parseLong(request.queryParameter("ms").orElse("0"))));
        case "/_sim/faults" -> setFaults(faultsFromQuery(request));
        default -> {
          return plainJson(404, "{\"error\":\"unknown admin endpoint " + path + "\"}");
        }
      }
    } catch (IllegalArgumentException e) {
      ApiError error = new ApiError(ApiError.Kind.INVALID_REQUEST, e.getMessage(), "invalid_value");
      return new Reply(
          400,
          "application/json",
          new ArrayList<>(),
          Dialect.OLLAMA.error(json, error),
          List.of(),
          0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot happen: writing to memory", e);
    }
    return plainJson(200, "{\"ok\":true}");
  }

  private static Faults faultsFromQuery(Http1.Request request) {
    return Faults.builder()
        .resetProbability(probability(request, "reset"))
        .http500Probability(probability(request, "http500"))
        .http502Probability(probability(request, "http502"))
        .http503Probability(probability(request, "http503"))
        .slowProbability(probability(request, "slow"))
        .slowDelay(
            request
                .queryParameter("slowMs")
                .map(ms -> Duration.ofMillis(Long.parseLong(ms)))
                .orElse(Faults.DEFAULT_SLOW_DELAY))
        .hangProbability(probability(request, "hang"))
        .build();
  }

  private static double probability(Http1.Request request, String name) {
    return request.queryParameter(name).map(Double::parseDouble).orElse(0.0);
  }
}
