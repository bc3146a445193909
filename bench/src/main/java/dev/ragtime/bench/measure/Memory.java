package dev.ragtime.bench.measure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory of this process, from {@code /proc/self/status} (Linux only). */
public final class Memory {
  private Memory() {}

  /** Peak resident set size so far ({@code VmHWM}), in MiB, or -1 if unknown. */
  public static double peakRssMib() {
    return field("VmHWM:");
  }

  /** Resident set size now ({@code VmRSS}), in MiB, or -1 if unknown. */
  public static double rssMib() {
    return field("VmRSS:");
  }

  private static double field(String name) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(name)) {
          String kb = line.substring(name.length()).trim().split("\\s+")[0];
          return Long.parseLong(kb) / 1024.0;
        }
      }
      return -1;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
