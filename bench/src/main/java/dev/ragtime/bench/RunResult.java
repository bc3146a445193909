package dev.ragtime.bench;

import dev.ragtime.simulator.Fault;
import dev.ragtime.simulator.SimulatorCounters;
import java.util.Map;

/**
 * One contender's run against one scenario: its own report joined with the simulator's counters,
 * and the throughput set against the scenario's ceiling for the batch size it actually used.
 *
 * @param scenario scenario name
 * @param contender contender label
 * @param run repetition number, from 1
 * @param settings the contender's settings that matter
 * @param texts texts in the workload
 * @param wallSeconds time to embed the workload (or to give up)
 * @param delivered texts with the right vector
 * @param lost texts without a vector, plus texts with a wrong one
 * @param tokensPerSecond simulator tokens of delivered texts per wall second
 * @param tokensPerRequest mean tokens of the successful requests (the batch size it used); 0 when
 *     none succeeded
 * @param ceiling the scenario's ceiling in tokens/s for that batch size; 0 when unknown
 * @param binding which limit sets the ceiling
 * @param shareOfCeiling tokensPerSecond / ceiling, 0 when unknown
 * @param requests requests the simulator received
 * @param ok requests answered 200
 * @param throttled requests answered 429
 * @param serverErrors requests answered 5xx
 * @param resets connections reset by injected faults
 * @param rejected requests answered 4xx other than 429 (e.g. a batch over the provider's caps)
 * @param clientRetries retries the client counted, -1 when it exposes no count
 * @param connections TCP connections the simulator accepted
 * @param duplicateEmbeddings texts embedded more than once (a response lost after the server wrote
 *     it, then retried)
 * @param peakInFlight most requests in progress at the simulator at once
 * @param firstError the first failure the client surfaced, empty if none
 * @param timeline where the provider's capacity went ({@link Timeline#summary()}), empty if unknown
 */
record RunResult(
    String scenario,
    String contender,
    int run,
    String settings,
    int texts,
    double wallSeconds,
    int delivered,
    int lost,
    double tokensPerSecond,
    double tokensPerRequest,
    double ceiling,
    String binding,
    double shareOfCeiling,
    long requests,
    long ok,
    long throttled,
    long serverErrors,
    long resets,
    long rejected,
    long clientRetries,
    long connections,
    long duplicateEmbeddings,
    int peakInFlight,
    String firstError,
    String timeline) {

  static RunResult of(
      Scenario scenario,
      int run,
      Workload workload,
      ContenderReport report,
      SimulatorCounters.Snapshot counters,
      String timeline) {
    double wall = report.wallNanos() / 1e9;
    Verification v = report.verification();
    double tokensPerSecond = wall > 0 ? v.deliveredTokens() / wall : 0;
    long ok = counters.responsesByStatus().getOrDefault(200, 0L);
    double tokensPerRequest = ok > 0 ? counters.tokensEmbedded() / (double) ok : 0;
    double ceiling = tokensPerRequest > 0 ? scenario.ceiling(tokensPerRequest) : 0;
    String binding = tokensPerRequest > 0 ? scenario.bindingLimit(tokensPerRequest) : "";
    long serverErrors = 0;
    long rejected = 0;
    for (Map.Entry<Integer, Long> e : counters.responsesByStatus().entrySet()) {
      int status = e.getKey();
      if (status >= 500) {
        serverErrors += e.getValue();
      } else if (status >= 400 && status != 429) {
        rejected += e.getValue();
      }
    }
    return new RunResult(
        scenario.name(),
        report.contender(),
        run,
        report.settings(),
        workload.size(),
        wall,
        v.delivered(),
        v.lost() + v.wrong(),
        tokensPerSecond,
        tokensPerRequest,
        ceiling,
        binding,
        ceiling > 0 ? tokensPerSecond / ceiling : 0,
        counters.requestsReceived(),
        ok,
        counters.responsesByStatus().getOrDefault(429, 0L),
        serverErrors,
        counters.faultsInjected().getOrDefault(Fault.RESET, 0L),
        rejected,
        report.clientRetries(),
        counters.connectionsAccepted(),
        counters.inputsEmbedded() - counters.distinctTextsEmbedded(),
        counters.peakConcurrentRequests(),
        report.firstError(),
        timeline);
  }

  /** 429s as a share of requests received. */
  double throttledShare() {
    return requests > 0 ? throttled / (double) requests : 0;
  }
}
