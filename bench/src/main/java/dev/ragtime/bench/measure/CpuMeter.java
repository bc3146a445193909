package dev.ragtime.bench.measure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How busy the machine was while something was measured: the CPU time of every process (from {@code
 * /proc/stat}) against this process's own (from {@code /proc/self/stat}). On a shared machine the
 * difference is what other processes took during the measurement, the load a result must be
 * reported with. Linux only; elsewhere {@link #start()} gives readings without CPU figures.
 *
 * <p>Thread-safe (it holds no state); readings are immutable.
 */
public final class CpuMeter {
  /** {@code USER_HZ}: the unit of {@code /proc} CPU times on every Linux platform we run on. */
  private static final double TICKS_PER_SECOND = 100;

  private static final Path PROC_STAT = Path.of("/proc/stat");
  private static final Path SELF_STAT = Path.of("/proc/self/stat");
  private static final Path LOADAVG = Path.of("/proc/loadavg");

  private CpuMeter() {}

  /**
   * A reading taken at one moment.
   *
   * @param nanos {@link System#nanoTime()} when taken
   * @param machineBusyTicks CPU time of all processes, in ticks, or -1 if unknown
   * @param ownTicks CPU time of this process, in ticks, or -1 if unknown
   */
  public record Reading(long nanos, long machineBusyTicks, long ownTicks) {}

  /**
   * What happened between two readings.
   *
   * @param seconds wall time
   * @param machineCores average cores busy on the whole machine (NaN if unknown)
   * @param ownCores average cores this process used (NaN if unknown)
   * @param loadAverage the 1-minute load average at the end (NaN if unknown)
   */
  public record Usage(double seconds, double machineCores, double ownCores, double loadAverage) {
    /** Average cores other processes used: machine minus own, never below 0. */
    public double otherCores() {
      return Double.isNaN(machineCores) ? Double.NaN : Math.max(0, machineCores - ownCores);
    }

    /** A short description, e.g. {@code "own 1.85 cores, others 0.12, load 2.1"}. */
    public String describe() {
      return String.format(
          java.util.Locale.ROOT,
          "own %.2f cores, others %.2f, load %.1f",
          ownCores,
          otherCores(),
          loadAverage);
    }

    /**
     * The figures a results file records: {@code ownCores}, {@code otherCores}, {@code
     * loadAverage}.
     */
    public Map<String, Object> fields() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("ownCores", ownCores);
      m.put("otherCores", otherCores());
      m.put("loadAverage", loadAverage);
      return m;
    }
  }

  /** Takes a reading now. */
  public static Reading start() {
    return new Reading(System.nanoTime(), machineBusyTicks(), ownTicks());
  }

  /** The usage from {@code start} until now. */
  public static Usage since(Reading start) {
    Reading end = start();
    double seconds = (end.nanos() - start.nanos()) / 1e9;
    double machine =
        start.machineBusyTicks() < 0 || end.machineBusyTicks() < 0
            ? Double.NaN
            : (end.machineBusyTicks() - start.machineBusyTicks()) / TICKS_PER_SECOND / seconds;
    double own =
        start.ownTicks() < 0 || end.ownTicks() < 0
            ? Double.NaN
            : (end.ownTicks() - start.ownTicks()) / TICKS_PER_SECOND / seconds;
    return new Usage(seconds, machine, own, loadAverage());
  }

  /** The 1-minute load average, or NaN off Linux. */
  public static double loadAverage() {
    return read(LOADAVG).map(s -> Double.parseDouble(s.split("\\s+")[0])).orElse(Double.NaN);
  }

  /** user + nice + system + irq + softirq + steal of the first line of /proc/stat. */
  private static long machineBusyTicks() {
    return read(PROC_STAT)
        .map(
            s -> {
              String[] f = s.substring(0, s.indexOf('\n')).trim().split("\\s+");
              // cpu user nice system idle iowait irq softirq steal ...
              long busy = 0;
              for (int i : List.of(1, 2, 3, 6, 7, 8)) {
                busy += Long.parseLong(f[i]);
              }
              return busy;
            })
        .orElse(-1L);
  }

  /** utime + stime of this process (fields 14 and 15 of /proc/self/stat). */
  private static long ownTicks() {
    return read(SELF_STAT)
        .map(
            s -> {
              // The command name (field 2) may hold spaces; count fields after its ')'.
              String[] f = s.substring(s.lastIndexOf(')') + 2).trim().split("\\s+");
              return Long.parseLong(f[11]) + Long.parseLong(f[12]);
            })
        .orElse(-1L);
  }

  private static Optional<String> read(Path path) {
    try {
      return Optional.of(Files.readString(path));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
