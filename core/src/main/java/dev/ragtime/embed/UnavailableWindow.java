package dev.ragtime.embed;

/**
 * Tells a failure of one request from a run of them. {@link RemoteSender} keeps two per endpoint:
 * one of 503s (below) and one of every 5xx, I/O error and timeout, where a failure that does not
 * cluster is retried at once rather than after a back-off.
 *
 * <p>Tells a random 503 from overload. A 503 that comes alone is a fault of one request (count it
 * against the circuit breaker and back off, but leave the concurrency limit alone); 503s that
 * <em>cluster</em> mean the provider is overloaded, and the concurrency limit should shrink.
 *
 * <p>Definition: a 503 clusters when at least {@link #CLUSTER} of the last {@link #WINDOW} answers
 * from the same endpoint (this one included) were 503s. With independent faults at rate p = 5% a
 * 503 is wrongly taken for overload with probability P(at least 3 of 9 others) ≈ 0.8%; an
 * overloaded provider that answers half its requests with 503 is recognised after four answers. A
 * 503 carrying {@code Retry-After} is overload regardless (the provider says so); the sender
 * decides that, this class only counts.
 *
 * <p>Thread-safe; never blocks.
 */
final class UnavailableWindow {
  static final int WINDOW = 10;
  static final int CLUSTER = 4;

  private final boolean[] was503 = new boolean[WINDOW];
  private int next;
  private int count503;

  /**
   * Records one answer of the endpoint.
   *
   * @param is503 whether it was HTTP 503 (or, in the second use, any failure counted)
   * @return whether it was a 503 (failure) that clusters with the others in the window
   */
  synchronized boolean record(boolean is503) {
    if (was503[next]) {
      count503--;
    }
    was503[next] = is503;
    if (is503) {
      count503++;
    }
    next = (next + 1) % WINDOW;
    return is503 && count503 >= CLUSTER;
  }
}
