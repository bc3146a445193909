package dev.ragtime.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ragtime.simulator.SimulatorCounters.Exchange;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimelineTest {
  private static final long MS = 1_000_000;

  @Test
  void idleSlotTimeIsSplitIntoStartMiddleAndEnd() {
    // Two slots. Slot A: 0–100 (10 texts), 100–200 (10). Slot B starts late: 20–120 (4), then
    // 130–160 (2) and nothing after. Both slots are first in use at 20, last at 130–160.
    List<Exchange> exchanges =
        List.of(
            new Exchange(0, 100 * MS, 200, 10),
            new Exchange(20 * MS, 120 * MS, 200, 4),
            new Exchange(100 * MS, 200 * MS, 200, 10),
            new Exchange(130 * MS, 160 * MS, 200, 2));
    Timeline t = Timeline.of(exchanges, 2);
    assertThat(t.spanMs()).isCloseTo(200, within(1e-9));
    assertThat(t.idleStartSlotMs()).isCloseTo(20, within(1e-9)); // slot B idle 0–20
    assertThat(t.idleMiddleSlotMs()).isCloseTo(10, within(1e-9)); // slot B idle 120–130
    assertThat(t.idleEndSlotMs()).isCloseTo(40, within(1e-9)); // slot B idle 160–200
    assertThat(t.busyShare()).isCloseTo((400 - 70) / 400.0, within(1e-9));
    assertThat(t.firstRoundInputs()).isEqualTo(14);
    assertThat(t.summary()).contains("idle slot-ms at the start 20, middle 10, end 40");
  }

  @Test
  void noExchangesIsAnEmptyTimeline() {
    assertThat(Timeline.of(List.of(), 8).spanMs()).isZero();
  }
}
