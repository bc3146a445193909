package dev.ragtime.embed;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;

/** An {@link InstantSource} that only moves when told to. Thread-safe. */
final class FakeClock implements InstantSource {
  private final AtomicReference<Instant> now;

  FakeClock() {
    this(Instant.parse("2026-01-01T00:00:00Z"));
  }

  FakeClock(Instant start) {
    this.now = new AtomicReference<>(start);
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  void advance(Duration d) {
    now.updateAndGet(i -> i.plus(d));
  }
}
