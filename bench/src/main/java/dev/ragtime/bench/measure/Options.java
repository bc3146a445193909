package dev.ragtime.bench.measure;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Command-line options of the form {@code --name value} (and {@code --flag} for names declared as
 * flags), checked against the names a benchmark knows. Immutable.
 */
public final class Options {
  private final Map<String, String> values;

  private Options(Map<String, String> values) {
    this.values = values;
  }

  /**
   * Parses {@code args}.
   *
   * @param known option names with values, including their leading dashes
   * @param flags option names without values
   * @throws IllegalArgumentException naming an unknown option or a missing value
   */
  public static Options parse(String[] args, Set<String> known, Set<String> flags) {
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (flags.contains(a)) {
        values.put(a, "true");
      } else if (known.contains(a)) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("option " + a + " needs a value");
        }
        values.put(a, args[++i]);
      } else {
        throw new IllegalArgumentException(
            "unknown option '" + a + "'; known: " + known + (flags.isEmpty() ? "" : " " + flags));
      }
    }
    return new Options(values);
  }

  public boolean has(String name) {
    return values.containsKey(name);
  }

  public String string(String name, String defaultValue) {
    return values.getOrDefault(name, defaultValue);
  }

  public int integer(String name, int defaultValue) {
    return values.containsKey(name) ? Integer.parseInt(values.get(name)) : defaultValue;
  }

  public double decimal(String name, double defaultValue) {
    return values.containsKey(name) ? Double.parseDouble(values.get(name)) : defaultValue;
  }

  public Path path(String name, String defaultValue) {
    return Path.of(string(name, defaultValue));
  }

  /** A comma-separated list. */
  public List<String> list(String name, String defaultValue) {
    return Arrays.stream(string(name, defaultValue).split(","))
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .toList();
  }

  /** A comma-separated list of integers. */
  public List<Integer> integers(String name, String defaultValue) {
    return list(name, defaultValue).stream().map(Integer::parseInt).toList();
  }
}
