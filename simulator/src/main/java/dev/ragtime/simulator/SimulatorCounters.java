package dev.ragtime.simulator;

import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live counters of one {@link ProviderSimulator}. Thread-safe and lock-free; every reading is
 * current at the moment it is taken. {@link #reset()} zeroes them; it is not atomic with respect to
 * requests in flight, so reset while idle for exact numbers.
 *
 * <p>What is counted:
 *
 * <ul>
 *   <li><b>Requests</b> are those to the embedding endpoints and to unknown paths; {@code /health}
 *       and {@code /_sim/*} requests are not counted anywhere except in connections.
 *   <li><b>Responses</b> by status count only responses fully written to the socket (handed to the
 *       operating system without error). The count is taken just before the write and taken back if
 *       the write fails (then {@link #responsesAborted()} counts it), so a client that has received
 *       a response always finds it counted, and a response that never left the server is not
 *       counted once its write has failed.
 *   <li><b>Inputs, tokens and per-text embeddings</b> are counted the same way, for 200 embedding
 *       responses only, so "every text embedded exactly once" can be asserted from the server side:
 *       a request reset, hung or aborted before its response was written embedded nothing. (As with
 *       any server, a response the operating system accepted may still be lost if the client closes
 *       at that very moment; clients then retry and the text is counted twice.)
 *   <li><b>Throttled</b> counts each decision to answer 429, by reason; <b>faults</b> each injected
 *       fault, by kind.
 *   <li><b>Connections</b>: every TCP connection accepted, and those open now.
 *   <li><b>Concurrent requests</b>: counted requests read off the wire and not yet answered (this
 *       includes hung ones), now and at the peak since start or {@link #reset()}.
 *   <li><b>Exchanges</b>: when each counted request was read and answered, with its status and
 *       inputs embedded, for a timeline of a run ({@link #exchanges()}; the first {@value
 *       #MAX_EXCHANGES} since start or {@link #reset()}).
 * </ul>
 */
public final class SimulatorCounters {

  private static final int MAX_STATUS = 600;

  /** Exchanges {@link #exchanges()} keeps at most. */
  public static final int MAX_EXCHANGES = 100_000;

  private final LongAdder connectionsAccepted = new LongAdder();
  private final AtomicInteger openConnections = new AtomicInteger();
  private final LongAdder requestsReceived = new LongAdder();
  private final LongAdder[] responsesByStatus = adders(MAX_STATUS);
  private final LongAdder responsesAborted = new LongAdder();
  private final LongAdder inputsEmbedded = new LongAdder();
  private final LongAdder tokensEmbedded = new LongAdder();
  private final LongAdder[] throttled = adders(Throttle.values().length);
  private final LongAdder[] faults = adders(Fault.values().length);
  private final AtomicInteger concurrentRequests = new AtomicInteger();
  private final AtomicInteger peakConcurrentRequests = new AtomicInteger();
  private final ConcurrentHashMap<String, LongAdder> perText = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Exchange> exchanges = new ConcurrentLinkedQueue<>();
  private final AtomicInteger exchangeCount = new AtomicInteger();

  SimulatorCounters() {}

  private static LongAdder[] adders(int n) {
    LongAdder[] adders = new LongAdder[n];
    for (int i = 0; i < n; i++) {
      adders[i] = new LongAdder();
    }
    return adders;
  }

  // ---- recording (package-private) ----

  void onConnectionOpened() {
    connectionsAccepted.increment();
    openConnections.incrementAndGet();
  }

  void onConnectionClosed() {
    openConnections.decrementAndGet();
  }

  void onRequestStarted() {
    requestsReceived.increment();
    int now = concurrentRequests.incrementAndGet();
    peakConcurrentRequests.accumulateAndGet(now, Math::max);
  }

  void onRequestFinished() {
    concurrentRequests.decrementAndGet();
  }

  /**
   * Counts a response about to be written ({@code sign = +1}) or takes it back when its write
   * failed ({@code sign = -1}); a successful embedding response also counts its inputs, tokens and
   * texts.
   */
  void onResponse(int status, List<String> embedded, long tokens, boolean trackTexts, int sign) {
    if (status >= 0 && status < MAX_STATUS) {
      responsesByStatus[status].add(sign);
    }
    if (embedded.isEmpty()) {
      return;
    }
    inputsEmbedded.add(sign * (long) embedded.size());
    tokensEmbedded.add(sign * tokens);
    if (trackTexts) {
      for (String text : embedded) {
        LongAdder count = perText.get(text);
        if (count == null) {
          count = perText.computeIfAbsent(text, t -> new LongAdder());
        }
        count.add(sign);
      }
    }
  }

  /**
   * A counted request read at {@code startNanos} and finished at {@code endNanos} ({@link
   * System#nanoTime()}) with {@code status} (0: reset, hung or aborted) and {@code inputs} texts
   * embedded.
   */
  void onExchange(long startNanos, long endNanos, int status, int inputs) {
    if (exchangeCount.incrementAndGet() <= MAX_EXCHANGES) {
      exchanges.add(new Exchange(startNanos, endNanos, status, inputs));
    }
  }

  void onResponseAborted() {
    responsesAborted.increment();
  }

  void onThrottled(Throttle reason) {
    throttled[reason.ordinal()].increment();
  }

  void onFaultInjected(Fault fault) {
    faults[fault.ordinal()].increment();
  }

  // ---- reading ----

  /** TCP connections accepted since start or {@link #reset()}. */
  public long connectionsAccepted() {
    return connectionsAccepted.sum();
  }

  /** TCP connections open now (not affected by {@link #reset()}). */
  public int openConnections() {
    return openConnections.get();
  }

  /** Counted requests read off the wire, whatever became of them. */
  public long requestsReceived() {
    return requestsReceived.sum();
  }

  /** Responses with this status fully written. */
  public long responses(int status) {
    return status >= 0 && status < MAX_STATUS ? responsesByStatus[status].sum() : 0;
  }

  /** Fully written responses by status, only statuses seen, in ascending order. */
  public Map<Integer, Long> responsesByStatus() {
    Map<Integer, Long> out = new TreeMap<>();
    for (int status = 0; status < MAX_STATUS; status++) {
      long n = responsesByStatus[status].sum();
      if (n != 0) {
        out.put(status, n);
      }
    }
    return out;
  }

  /** Responses whose write to the socket failed (the client had gone). */
  public long responsesAborted() {
    return responsesAborted.sum();
  }

  /** Inputs in fully written 200 embedding responses. */
  public long inputsEmbedded() {
    return inputsEmbedded.sum();
  }

  /** Tokens (by {@link ProviderSimulator#countTokens}) in fully written 200 embedding responses. */
  public long tokensEmbedded() {
    return tokensEmbedded.sum();
  }

  /** Decisions to answer 429 for this reason. */
  public long throttled(Throttle reason) {
    return throttled[reason.ordinal()].sum();
  }

  /** Decisions to answer 429, all reasons. */
  public long throttled() {
    long sum = 0;
    for (LongAdder adder : throttled) {
      sum += adder.sum();
    }
    return sum;
  }

  /** Faults of this kind injected. */
  public long faultsInjected(Fault fault) {
    return faults[fault.ordinal()].sum();
  }

  /** Faults injected, all kinds. */
  public long faultsInjected() {
    long sum = 0;
    for (LongAdder adder : faults) {
      sum += adder.sum();
    }
    return sum;
  }

  /** Counted requests in progress now (not affected by {@link #reset()}). */
  public int concurrentRequests() {
    return concurrentRequests.get();
  }

  /** The most counted requests in progress at once since start or {@link #reset()}. */
  public int peakConcurrentRequests() {
    return peakConcurrentRequests.get();
  }

  /**
   * How many fully written 200 responses carried an embedding of exactly this text (0 when never,
   * or when the config turned {@code trackTexts} off).
   */
  public long timesEmbedded(String text) {
    LongAdder count = perText.get(text);
    return count == null ? 0 : count.sum();
  }

  /**
   * Distinct texts embedded at least once (0 when {@code trackTexts} is off). Takes time linear in
   * that number.
   */
  public int distinctTextsEmbedded() {
    int n = 0;
    for (LongAdder count : perText.values()) {
      if (count.sum() > 0) {
        n++;
      }
    }
    return n;
  }

  /** A copy of the per-text counts (empty when {@code trackTexts} is off). */
  public Map<String, Long> embeddedTextCounts() {
    Map<String, Long> out = new HashMap<>(perText.size() * 2);
    perText.forEach(
        (text, count) -> {
          long n = count.sum();
          if (n > 0) {
            out.put(text, n);
          }
        });
    return out;
  }

  /** Zeroes every counter except the open connections and requests in progress. */
  public void reset() {
    connectionsAccepted.reset();
    requestsReceived.reset();
    for (LongAdder adder : responsesByStatus) {
      adder.reset();
    }
    responsesAborted.reset();
    inputsEmbedded.reset();
    tokensEmbedded.reset();
    for (LongAdder adder : throttled) {
      adder.reset();
    }
    for (LongAdder adder : faults) {
      adder.reset();
    }
    peakConcurrentRequests.set(concurrentRequests.get());
    perText.clear();
    exchanges.clear();
    exchangeCount.set(0);
  }

  /** The exchanges finished since start or {@link #reset()}, in the order they finished. */
  public List<Exchange> exchanges() {
    return List.copyOf(exchanges);
  }

  /**
   * One counted request: read at {@code startNanos}, finished at {@code endNanos} (both {@link
   * System#nanoTime()}), answered with {@code status} (0 when reset, hung or aborted), {@code
   * inputs} texts embedded (0 unless it succeeded).
   */
  public record Exchange(long startNanos, long endNanos, int status, int inputs) {}

  /** The counters now, as a value (without the per-text counts). */
  public Snapshot snapshot() {
    Map<Throttle, Long> throttledByReason = new EnumMap<>(Throttle.class);
    for (Throttle reason : Throttle.values()) {
      throttledByReason.put(reason, throttled(reason));
    }
    Map<Fault, Long> faultsByKind = new EnumMap<>(Fault.class);
    for (Fault fault : Fault.values()) {
      faultsByKind.put(fault, faultsInjected(fault));
    }
    return new Snapshot(
        connectionsAccepted(),
        openConnections(),
        requestsReceived(),
        responsesByStatus(),
        responsesAborted(),
        inputsEmbedded(),
        tokensEmbedded(),
        throttledByReason,
        faultsByKind,
        concurrentRequests(),
        peakConcurrentRequests(),
        distinctTextsEmbedded());
  }

  @Override
  public String toString() {
    return snapshot().toString();
  }

  /**
   * The counters at one moment; the fields mean what the methods of the same name in {@link
   * SimulatorCounters} mean. Immutable.
   */
  public record Snapshot(
      long connectionsAccepted,
      int openConnections,
      long requestsReceived,
      Map<Integer, Long> responsesByStatus,
      long responsesAborted,
      long inputsEmbedded,
      long tokensEmbedded,
      Map<Throttle, Long> throttled,
      Map<Fault, Long> faultsInjected,
      int concurrentRequests,
      int peakConcurrentRequests,
      int distinctTextsEmbedded) {

    public Snapshot {
      responsesByStatus = Collections.unmodifiableMap(new TreeMap<>(responsesByStatus));
      throttled = enumCopy(Throttle.class, throttled);
      faultsInjected = enumCopy(Fault.class, faultsInjected);
    }
  }

  private static <K extends Enum<K>> Map<K, Long> enumCopy(Class<K> type, Map<K, Long> source) {
    Map<K, Long> copy = new EnumMap<>(type);
    copy.putAll(source);
    return Collections.unmodifiableMap(copy);
  }
}
