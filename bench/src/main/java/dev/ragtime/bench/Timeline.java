package dev.ragtime.bench;

import dev.ragtime.simulator.SimulatorCounters.Exchange;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Where a run's provider capacity went, from the simulator's exchanges: of the {@code slots}
 * requests the provider admits at once over the run's span (first request read to last answered),
 * how much slot time was busy, and how much stood idle at the start (before every slot was first in
 * use), in the middle, and at the end (after the last moment every slot was in use). Also how many
 * texts the first round of requests carried. Pure; times in milliseconds.
 */
record Timeline(
    double spanMs,
    double busyShare,
    double idleStartSlotMs,
    double idleMiddleSlotMs,
    double idleEndSlotMs,
    int firstRoundInputs,
    int slots) {

  static Timeline of(List<Exchange> exchanges, int slots) {
    if (exchanges.isEmpty()) {
      return new Timeline(0, 0, 0, 0, 0, 0, slots);
    }
    List<long[]> events = new ArrayList<>(); // {time, +1 | -1}
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    for (Exchange e : exchanges) {
      events.add(new long[] {e.startNanos(), 1});
      events.add(new long[] {e.endNanos(), -1});
      first = Math.min(first, e.startNanos());
      last = Math.max(last, e.endNanos());
    }
    events.sort(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1]));
    // Segments between events, with the requests in flight during each.
    int n = events.size();
    long[] from = new long[n];
    int[] inFlight = new int[n];
    int now = 0;
    int firstFull = -1;
    int lastFull = -1;
    for (int i = 0; i < n; i++) {
      now += (int) events.get(i)[1];
      from[i] = events.get(i)[0];
      inFlight[i] = now;
      if (now >= slots) {
        lastFull = i;
        if (firstFull < 0) {
          firstFull = i;
        }
      }
    }
    double busy = 0;
    double idleStart = 0;
    double idleMiddle = 0;
    double idleEnd = 0;
    for (int i = 0; i + 1 < n; i++) {
      double ms = (from[i + 1] - from[i]) / 1e6;
      busy += Math.min(inFlight[i], slots) * ms;
      double idle = Math.max(0, slots - inFlight[i]) * ms;
      if (firstFull < 0 || i < firstFull) {
        idleStart += idle;
      } else if (i > lastFull) {
        idleEnd += idle;
      } else {
        idleMiddle += idle;
      }
    }
    double span = (last - first) / 1e6;
    int firstRound =
        exchanges.stream()
            .sorted(Comparator.comparingLong(Exchange::startNanos))
            .limit(slots)
            .mapToInt(Exchange::inputs)
            .sum();
    return new Timeline(
        span,
        span > 0 ? busy / (slots * span) : 0,
        idleStart,
        idleMiddle,
        idleEnd,
        firstRound,
        slots);
  }

  /** One line for the console and results.md. */
  String summary() {
    return Report.fmt(
        "span %.0f ms, %d slots %.1f%% busy; idle slot-ms at the start %.0f, middle %.0f, end %.0f;"
            + " first %d requests carried %d texts",
        spanMs,
        slots,
        100 * busyShare,
        idleStartSlotMs,
        idleMiddleSlotMs,
        idleEndSlotMs,
        slots,
        firstRoundInputs);
  }

  /** Writes the exchanges as CSV (ms from the first request read), one per line. */
  static void writeCsv(List<Exchange> exchanges, Path file) throws IOException {
    long first = exchanges.stream().mapToLong(Exchange::startNanos).min().orElse(0);
    StringBuilder csv = new StringBuilder("start_ms,end_ms,status,inputs\n");
    exchanges.stream()
        .sorted(Comparator.comparingLong(Exchange::startNanos))
        .forEach(
            e ->
                csv.append(
                    Report.fmt(
                        "%.3f,%.3f,%d,%d%n",
                        (e.startNanos() - first) / 1e6,
                        (e.endNanos() - first) / 1e6,
                        e.status(),
                        e.inputs())));
    Files.createDirectories(file.getParent());
    Files.writeString(file, csv);
  }
}
