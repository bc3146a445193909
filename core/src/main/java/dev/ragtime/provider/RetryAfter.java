package dev.ragtime.provider;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Reads how long a provider asks us to wait: {@code Retry-After-Ms} (milliseconds) first, then
 * {@code Retry-After} as delay-seconds or as an HTTP date (RFC 1123). Pure apart from the injected
 * clock used for dates.
 */
final class RetryAfter {
  private RetryAfter() {}

  static Optional<Duration> parse(HttpHeaders headers, InstantSource clock) {
    Optional<String> ms = headers.firstValue("retry-after-ms");
    if (ms.isPresent()) {
      try {
        double v = Double.parseDouble(ms.get().trim());
        if (v >= 0 && Double.isFinite(v)) {
          return Optional.of(Duration.ofNanos((long) (v * 1e6)));
        }
      } catch (NumberFormatException ignored) {
        // fall back to Retry-After
      }
    }
    return headers.firstValue("retry-after").flatMap(v -> parseRetryAfter(v, clock.instant()));
  }

  static Optional<Duration> parseRetryAfter(String raw, Instant now) {
    String v = raw.trim();
    try {
      double seconds = Double.parseDouble(v);
      if (seconds >= 0 && Double.isFinite(seconds)) {
        return Optional.of(Duration.ofNanos((long) Math.min(seconds * 1e9, 86_400e9)));
      }
      return Optional.empty();
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Duration d = Duration.between(now, at);
        return Optional.of(d.isNegative() ? Duration.ZERO : d);
      } catch (DateTimeParseException notDate) {
        return Optional.empty();
      }
    }
  }
}
