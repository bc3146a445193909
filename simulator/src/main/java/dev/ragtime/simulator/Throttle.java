package dev.ragtime.simulator;

/** Why the simulator answered 429. */
public enum Throttle {
  /** The requests-per-minute limit. OpenAI error type {@code requests}. */
  REQUESTS,
  /** The tokens-per-minute limit. OpenAI error type {@code tokens}. */
  TOKENS,
  /** The maximum number of concurrent requests. */
  CONCURRENCY,
  /** A 429 storm switched on with {@link ProviderSimulator#storm429}. */
  STORM
}
