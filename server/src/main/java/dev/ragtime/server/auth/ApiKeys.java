package dev.ragtime.server.auth;

import dev.ragtime.config.ConfigException;
import dev.ragtime.index.IndexStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The API keys the service accepts, parsed from {@value #ENV} and kept only as SHA-256 digests.
 *
 * <p>Format: comma-separated entries {@code KEY:RIGHTS[:COLLECTION|COLLECTION…]}. {@code RIGHTS} is
 * {@code r} (read) or {@code rw} (read and write); without collections a key reaches every
 * collection. A key is at least {@value #MIN_KEY_LENGTH} characters of letters, digits and {@code
 * -._~+/=} (the characters of an RFC 6750 bearer token). Blank entries are ignored; no entries at
 * all means access control is off.
 *
 * <p>Secrets: a parse error names the entry's position and what is wrong with it, never any part of
 * the entry (a misplaced key could sit in any field); {@link #toString()} shows the count only.
 * {@link #authenticate} compares digests with {@link MessageDigest#isEqual} against every key, so
 * its time does not depend on how much of a key a guess got right.
 *
 * <p>Immutable and thread-safe.
 */
public final class ApiKeys {
  /** The environment variable the keys come from (never the configuration file). */
  public static final String ENV = "RAGTIME_API_KEYS";

  public static final int MIN_KEY_LENGTH = 16;

  private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._~+/=-]+");

  private static final ApiKeys NONE = new ApiKeys(List.of());

  private record Entry(byte[] digest, Grant grant) {}

  private final List<Entry> entries;

  private ApiKeys(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** No keys: access control is off and every request has {@link Grant#FULL}. */
  public static ApiKeys none() {
    return NONE;
  }

  /**
   * Parses the value of {@value #ENV}.
   *
   * @throws ConfigException naming the first bad entry by position (1-based), never its text
   */
  public static ApiKeys parse(String spec) {
    var entries = new ArrayList<Entry>();
    String[] raw = spec.split(",", -1);
    for (int i = 0; i < raw.length; i++) {
      String entry = raw[i].strip();
      if (entry.isEmpty()) {
        continue;
      }
      int position = i + 1;
      String[] parts = entry.split(":", -1);
      if (parts.length < 2 || parts.length > 3) {
        throw bad(position, "expected KEY:r or KEY:rw, optionally followed by :COLLECTION|…");
      }
      String key = parts[0];
      if (key.length() < MIN_KEY_LENGTH) {
        throw bad(
            position,
            "the key is shorter than "
                + MIN_KEY_LENGTH
                + " characters; generate one with, for example, 'openssl rand -hex 24'");
      }
      if (!KEY.matcher(key).matches()) {
        throw bad(position, "the key may hold only letters, digits and the characters -._~+/=");
      }
      boolean write =
          switch (parts[1]) {
            case "r" -> false;
            case "rw" -> true;
            default -> throw bad(position, "the rights must be r (read) or rw (read and write)");
          };
      Set<String> collections = parts.length == 3 ? collections(parts[2], position) : Set.of();
      byte[] digest = digest(key);
      for (int j = 0; j < entries.size(); j++) {
        if (MessageDigest.isEqual(entries.get(j).digest(), digest)) {
          throw bad(position, "it repeats the key of an earlier entry; give each key once");
        }
      }
      entries.add(new Entry(digest, new Grant(write, collections)));
    }
    return entries.isEmpty() ? NONE : new ApiKeys(entries);
  }

  private static Set<String> collections(String list, int position) {
    var names = new LinkedHashSet<String>();
    String[] parts = list.split("\\|", -1);
    for (int i = 0; i < parts.length; i++) {
      String name = parts[i].strip();
      try {
        names.add(IndexStore.validateName(name));
      } catch (IllegalArgumentException e) {
        // Its message quotes the name, which could be a misplaced key: say what is wrong only.
        throw bad(
            position,
            "collection "
                + (i + 1)
                + " of its list is not a collection name (1 to 64 letters, digits, '_', '.' or"
                + " '-')");
      }
    }
    return names;
  }

  private static ConfigException bad(int position, String what) {
    return new ConfigException(ENV + ": entry " + position + " is not valid: " + what);
  }

  /** Whether any key is configured, that is, whether requests need one. */
  public boolean enabled() {
    return !entries.isEmpty();
  }

  /** How many keys there are. */
  public int size() {
    return entries.size();
  }

  /**
   * The rights of {@code token}, if it is one of the keys. Takes the same time whichever key (if
   * any) matches.
   */
  public Optional<Grant> authenticate(String token) {
    byte[] digest = digest(token);
    Grant found = null;
    for (Entry e : entries) {
      if (MessageDigest.isEqual(e.digest(), digest)) {
        found = e.grant();
      }
    }
    return Optional.ofNullable(found);
  }

  private static byte[] digest(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM provides SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "ApiKeys[" + entries.size() + (entries.size() == 1 ? " key]" : " keys]");
  }
}
