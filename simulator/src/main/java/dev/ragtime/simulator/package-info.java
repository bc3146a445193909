/**
 * An embedding-provider simulator for tests and benchmarks of Ragtime's embedding pipeline.
 *
 * <p>Entry point: {@link dev.ragtime.simulator.ProviderSimulator#start}. Configuration: {@link
 * dev.ragtime.simulator.SimulatorConfig} and {@link dev.ragtime.simulator.Faults}. Observations:
 * {@link dev.ragtime.simulator.SimulatorCounters}.
 *
 * <p>How one embedding request is decided, in order: method (405); down switch (503); 429 storm;
 * JSON and field validation (400, TEI 422); model (404); caps: inputs per request, tokens per
 * input, tokens per request (400, TEI 413); concurrency limit (429); requests-per-minute and
 * tokens-per-minute limits (429, the only step that charges quota, and only on admission); fault
 * draw (reset, 500, 502, 503, slow, hang); latency ({@code base + perToken × tokens + jitter ×
 * U[0,1)}, plus the slow delay); 200 with the vectors.
 *
 * <p>Nothing here depends on the rest of Ragtime: clients and tests use the public static model
 * functions ({@link dev.ragtime.simulator.ProviderSimulator#expectedVector}, {@link
 * dev.ragtime.simulator.ProviderSimulator#countTokens}) to check what they got.
 *
 * <p>Null is never accepted or returned by the public API.
 */
package dev.ragtime.simulator;
