package dev.ragtime.bench;

/**
 * What one contender's run reports from its own side (the process that ran it), written as JSON by
 * {@link ContenderProcess} and read by {@link PipelineBenchmark}.
 *
 * @param contender the contender's label
 * @param settings the client settings that matter, for the report
 * @param wallNanos time from the first text handed over to the last vector in hand
 * @param verification what was delivered, checked against the simulator's model
 * @param clientRetries retries the client counted itself, -1 when it exposes no count
 * @param firstError the first failure the client surfaced, empty if none
 */
record ContenderReport(
    String contender,
    String settings,
    long wallNanos,
    Verification verification,
    long clientRetries,
    String firstError) {

  static ContenderReport of(Contender.Kind kind, Workload workload, Contender.Outcome outcome) {
    return new ContenderReport(
        kind.label(),
        outcome.settings(),
        outcome.wallNanos(),
        Verification.check(workload, outcome.vectors()),
        outcome.clientRetries().orElse(-1),
        outcome.firstError());
  }
}
