package dev.ragtime.provider;

import java.util.Objects;

/**
 * A credential such as an API key. Its value is only reachable through {@link #reveal()}, which the
 * transport calls when it builds a request header; {@link #toString()} never shows it, so a secret
 * may sit in config records, log lines and exception messages without leaking.
 *
 * <p>Immutable and thread-safe. Deliberately has no {@code equals}: compare configs by their other
 * fields.
 */
public final class Secret {
  private final String value;

  private Secret(String value) {
    this.value = value;
  }

  /**
   * Wraps a secret value.
   *
   * @throws IllegalArgumentException if the value is blank (the message does not contain it)
   */
  public static Secret of(String value) {
    Objects.requireNonNull(value, "secret value");
    if (value.isBlank()) {
      throw new IllegalArgumentException("secret must not be blank");
    }
    return new Secret(value);
  }

  /** The secret value; use it only to authenticate, never to log. */
  public String reveal() {
    return value;
  }

  /**
   * Replaces every occurrence of the secret in {@code text} (for example a provider error message
   * that echoes the key) with {@code ****}.
   */
  public String redact(String text) {
    return text.replace(value, "****");
  }

  @Override
  public String toString() {
    return "****";
  }
}
