package dev.ragtime.embed;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link Sleeper} that records every wait and advances a {@link FakeClock} instead of sleeping.
 */
final class RecordingSleeper implements Sleeper {
  private final FakeClock clock;
  final List<Duration> sleeps = new CopyOnWriteArrayList<>();

  RecordingSleeper(FakeClock clock) {
    this.clock = clock;
  }

  @Override
  public void sleep(Duration duration) throws InterruptedException {
    if (Thread.currentThread().isInterrupted()) {
      throw new InterruptedException();
    }
    sleeps.add(duration);
    if (duration.isPositive()) {
      clock.advance(duration);
    }
  }

  Duration total() {
    return sleeps.stream().reduce(Duration.ZERO, Duration::plus);
  }
}
