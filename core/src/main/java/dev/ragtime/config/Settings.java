package dev.ragtime.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Configuration values from a YAML file overridden by {@code RAGTIME_…} environment variables, as a
 * flat map of kebab-case keys such as {@code embedding.base-url}. Immutable and thread-safe.
 *
 * <p>Environment variable names map to keys by one rule: drop the {@code RAGTIME_} prefix and
 * lower-case; when the first word names a {@linkplain #SECTIONS section}, it becomes the section
 * and the rest joins with dashes ({@code RAGTIME_EMBEDDING_MAX_BATCH_TOKENS} → {@code
 * embedding.max-batch-tokens}); otherwise all words join with dashes ({@code RAGTIME_DATA} → {@code
 * data}). Nested YAML maps flatten with dots; YAML lists become comma-separated values.
 *
 * <p>Secrets (keys ending in {@code api-key}, {@code api-keys}, {@code password} or {@code token})
 * are accepted only from the environment and are never included in {@link #toString()} or error
 * messages.
 */
public final class Settings {

  /** First-level sections of the configuration. */
  public static final Set<String> SECTIONS =
      Set.of("embedding", "local", "chunking", "search", "index", "ingest", "server", "cache");

  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

  private final Map<String, String> values;
  private final Map<String, String> sources;

  private Settings(Map<String, String> values, Map<String, String> sources) {
    this.values = Map.copyOf(values);
    this.sources = Map.copyOf(sources);
  }

  /** No settings at all: every getter returns its default. */
  public static Settings empty() {
    return new Settings(Map.of(), Map.of());
  }

  /** Settings from explicit key/values (for tests and embedding Ragtime as a library). */
  public static Settings of(Map<String, String> values) {
    var sources = new LinkedHashMap<String, String>();
    values.keySet().forEach(k -> sources.put(k, "given"));
    return new Settings(values, sources);
  }

  /**
   * Loads settings.
   *
   * @param file the YAML file, if any; a missing explicit file is an error
   * @param env the environment (normally {@code System.getenv()})
   * @throws ConfigException naming the file, key or variable that is wrong
   */
  public static Settings load(Optional<Path> file, Map<String, String> env) {
    var values = new LinkedHashMap<String, String>();
    var sources = new LinkedHashMap<String, String>();
    if (file.isPresent()) {
      Path f = file.get();
      JsonNode root;
      try {
        root = new ObjectMapper(new YAMLFactory()).readTree(f.toFile());
      } catch (IOException e) {
        throw new ConfigException(
            "cannot read configuration file "
                + f
                + ": "
                + e.getMessage().lines().findFirst().orElse(""));
      }
      if (root != null && !root.isNull() && !root.isMissingNode()) {
        if (!root.isObject()) {
          throw new ConfigException("configuration file " + f + " must hold a YAML mapping");
        }
        flatten("", root, values, f.toString());
        for (String k : values.keySet()) {
          sources.put(k, "file " + f);
          if (isSecret(k)) {
            throw new ConfigException(
                "configuration file "
                    + f
                    + " sets the secret '"
                    + k
                    + "'; secrets are read only from the environment: set "
                    + envName(k)
                    + " instead");
          }
        }
      }
    }
    for (var e : env.entrySet()) {
      String name = e.getKey();
      if (!name.startsWith("RAGTIME_") || NOT_SETTINGS.contains(name)) {
        continue;
      }
      String key = keyForEnv(name);
      values.put(key, e.getValue());
      sources.put(key, "environment variable " + name);
    }
    return new Settings(values, sources);
  }

  /**
   * {@code RAGTIME_} variables that are not settings: the configuration file's location, the
   * launcher's extra JVM options ({@code ./ragtime} passes them to {@code java}) and the switch
   * that prints stack traces of unexpected errors.
   */
  static final Set<String> NOT_SETTINGS =
      Set.of("RAGTIME_CONFIG", "RAGTIME_JAVA_OPTS", "RAGTIME_DEBUG_STACKTRACE");

  /** Finds the configuration file: explicit, else {@code RAGTIME_CONFIG}, else ./ragtime.yml. */
  public static Optional<Path> locateFile(Optional<Path> explicit, Map<String, String> env) {
    if (explicit.isPresent()) {
      return explicit;
    }
    String fromEnv = env.get("RAGTIME_CONFIG");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Optional.of(Path.of(fromEnv));
    }
    Path local = Path.of("ragtime.yml");
    return Files.isRegularFile(local) ? Optional.of(local) : Optional.empty();
  }

  /** The key an environment variable sets, e.g. {@code RAGTIME_EMBEDDING_BASE_URL}. */
  static String keyForEnv(String name) {
    String rest = name.substring("RAGTIME_".length()).toLowerCase(Locale.ROOT);
    int us = rest.indexOf('_');
    if (us > 0 && SECTIONS.contains(rest.substring(0, us))) {
      return rest.substring(0, us) + "." + rest.substring(us + 1).replace('_', '-');
    }
    return rest.replace('_', '-');
  }

  /** The environment variable that sets {@code key}. */
  public static String envName(String key) {
    return "RAGTIME_" + key.replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT);
  }

  private static boolean isSecret(String key) {
    return key.endsWith("api-key")
        || key.endsWith("api-keys")
        || key.endsWith("password")
        || key.endsWith("token");
  }

  private static void flatten(
      String prefix, JsonNode node, Map<String, String> out, String fileName) {
    if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator();
      while (it.hasNext()) {
        var e = it.next();
        String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
        flatten(key, e.getValue(), out, fileName);
      }
    } else if (node.isArray()) {
      var parts = new ArrayList<String>();
      for (JsonNode n : node) {
        if (n.isContainerNode()) {
          throw new ConfigException(
              "configuration file " + fileName + ": '" + prefix + "' must be a list of values");
        }
        parts.add(n.asText());
      }
      out.put(prefix, String.join(",", parts));
    } else if (!node.isNull()) {
      out.put(prefix, node.asText());
    }
  }

  /**
   * Fails when a key is set that is not in {@code known}: a typo must not be silently ignored.
   *
   * @throws ConfigException naming the unknown keys and where they were set
   */
  public void requireKnown(Set<String> known) {
    var unknown = new TreeSet<String>();
    for (String k : values.keySet()) {
      if (!known.contains(k)) {
        unknown.add(k);
      }
    }
    if (!unknown.isEmpty()) {
      var sb = new StringBuilder("unknown configuration ");
      sb.append(unknown.size() == 1 ? "key " : "keys ");
      var it = unknown.iterator();
      while (it.hasNext()) {
        String k = it.next();
        sb.append('\'').append(k).append("' (").append(sources.get(k)).append(')');
        if (it.hasNext()) {
          sb.append(", ");
        }
      }
      sb.append("; known keys: ").append(String.join(", ", new TreeSet<>(known)));
      throw new ConfigException(sb.toString());
    }
  }

  /** The raw value, if set and not blank. */
  public Optional<String> string(String key) {
    String v = values.get(key);
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
  }

  public String string(String key, String defaultValue) {
    return string(key).orElse(defaultValue);
  }

  public Optional<Integer> integer(String key) {
    return string(key)
        .map(
            v -> {
              try {
                return Integer.parseInt(v.replace("_", ""));
              } catch (NumberFormatException e) {
                throw bad(key, v, "a whole number");
              }
            });
  }

  public int integer(String key, int defaultValue) {
    return integer(key).orElse(defaultValue);
  }

  public Optional<Double> decimal(String key) {
    return string(key)
        .map(
            v -> {
              try {
                return Double.parseDouble(v);
              } catch (NumberFormatException e) {
                throw bad(key, v, "a number");
              }
            });
  }

  public double decimal(String key, double defaultValue) {
    return decimal(key).orElse(defaultValue);
  }

  public boolean bool(String key, boolean defaultValue) {
    return string(key)
        .map(
            v ->
                switch (v.toLowerCase(Locale.ROOT)) {
                  case "true", "yes", "on", "1" -> true;
                  case "false", "no", "off", "0" -> false;
                  default -> throw bad(key, v, "true or false");
                })
        .orElse(defaultValue);
  }

  /**
   * A duration: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, a bare number of seconds, or
   * ISO 8601 ({@code PT30S}).
   */
  public Optional<Duration> duration(String key) {
    return string(key).map(v -> parseDuration(key, v));
  }

  public Duration duration(String key, Duration defaultValue) {
    return duration(key).orElse(defaultValue);
  }

  /** A comma-separated list, blank entries dropped. */
  public List<String> list(String key) {
    return string(key).stream()
        .flatMap(v -> java.util.Arrays.stream(v.split(",")))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .toList();
  }

  /** Where a key's value came from, for error messages. */
  public String source(String key) {
    return sources.getOrDefault(key, "default");
  }

  private Duration parseDuration(String key, String v) {
    return parseDuration(v)
        .orElseThrow(() -> bad(key, v, "a duration such as 500ms, 30s, 2m or PT30S"));
  }

  /**
   * Reads a duration as configuration values are written: {@code 500ms}, {@code 30s}, {@code 2m},
   * {@code 1h}, a bare number of seconds, or ISO-8601 ({@code PT30S}); empty if it is none of them.
   */
  public static Optional<Duration> parseDuration(String v) {
    if (v.startsWith("P") || v.startsWith("p")) {
      try {
        return Optional.of(Duration.parse(v.toUpperCase(Locale.ROOT)));
      } catch (DateTimeParseException e) {
        return Optional.empty();
      }
    }
    Matcher m = DURATION.matcher(v.toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      return Optional.empty();
    }
    double n = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    double millis =
        switch (unit) {
          case "ms" -> n;
          case "s" -> n * 1_000;
          case "m" -> n * 60_000;
          default -> n * 3_600_000;
        };
    return Optional.of(Duration.ofMillis(Math.round(millis)));
  }

  private ConfigException bad(String key, String value, String expected) {
    String shown = isSecret(key) ? "(hidden)" : "'" + value + "'";
    return new ConfigException(
        "configuration '" + key + "' (" + source(key) + ") is " + shown + "; expected " + expected);
  }

  @Override
  public String toString() {
    var sb = new StringBuilder("Settings{");
    values.forEach(
        (k, v) -> sb.append(k).append('=').append(isSecret(k) ? "(hidden)" : v).append(", "));
    return sb.append('}').toString();
  }
}
