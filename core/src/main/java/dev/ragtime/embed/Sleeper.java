package dev.ragtime.embed;

import java.time.Duration;

/**
 * Waits. Injected wherever the pipeline pauses (back-off, rate pacing) so tests can replace real
 * sleeping with a fake that advances a fake clock.
 */
@FunctionalInterface
public interface Sleeper {

  /**
   * Blocks for {@code duration}; returns at once for zero or negative durations.
   *
   * @throws InterruptedException if the thread is interrupted while waiting
   */
  void sleep(Duration duration) throws InterruptedException;

  /** Real sleeping with {@link Thread#sleep(Duration)}. */
  static Sleeper system() {
    return duration -> {
      if (duration.isPositive()) {
        Thread.sleep(duration);
      }
    };
  }
}
