package dev.ragtime.simulator;

/** A fault the simulator injects into an admitted embedding request; see {@link Faults}. */
public enum Fault {
  /**
   * The connection is reset (TCP RST, {@code SO_LINGER 0}) after the request was read, without any
   * response bytes: the client sees an {@link java.io.IOException} such as "Connection reset".
   */
  RESET,
  /** HTTP 500 with the endpoint's JSON error shape. */
  HTTP_500,
  /** HTTP 502 with an HTML body, as a proxy in front of a provider sends it. */
  HTTP_502,
  /** HTTP 503 with the endpoint's JSON error shape. */
  HTTP_503,
  /**
   * A normal, successful response delayed by {@link Faults#slowDelay()} on top of the latency
   * model.
   */
  SLOW,
  /**
   * No response at all: the server holds the request until the client closes the connection or the
   * simulator is closed.
   */
  HANG
}
