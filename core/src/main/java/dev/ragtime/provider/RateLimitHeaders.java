package dev.ragtime.provider;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rate-limit state a provider reports in {@code x-ratelimit-*} response headers (OpenAI's
 * names: {@code x-ratelimit-limit-requests}, {@code -remaining-requests}, {@code -reset-requests}
 * and the same for {@code -tokens}). Every field is empty when the header is absent or unreadable.
 * Resets are durations such as {@code 1s}, {@code 6m0s}, {@code 20ms} or plain seconds.
 */
public record RateLimitHeaders(
    OptionalLong limitRequests,
    OptionalLong remainingRequests,
    Optional<Duration> resetRequests,
    OptionalLong limitTokens,
    OptionalLong remainingTokens,
    Optional<Duration> resetTokens) {

  /** No information. */
  public static final RateLimitHeaders NONE =
      new RateLimitHeaders(
          OptionalLong.empty(),
          OptionalLong.empty(),
          Optional.empty(),
          OptionalLong.empty(),
          OptionalLong.empty(),
          Optional.empty());

  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");

  /** Reads the headers; never throws on malformed values (they are ignored). */
  public static RateLimitHeaders parse(HttpHeaders headers) {
    return new RateLimitHeaders(
        number(headers, "x-ratelimit-limit-requests"),
        number(headers, "x-ratelimit-remaining-requests"),
        headers.firstValue("x-ratelimit-reset-requests").flatMap(RateLimitHeaders::duration),
        number(headers, "x-ratelimit-limit-tokens"),
        number(headers, "x-ratelimit-remaining-tokens"),
        headers.firstValue("x-ratelimit-reset-tokens").flatMap(RateLimitHeaders::duration));
  }

  /** True when at least one field is known. */
  public boolean present() {
    return !equals(NONE);
  }

  private static OptionalLong number(HttpHeaders headers, String name) {
    Optional<String> v = headers.firstValue(name);
    if (v.isEmpty()) {
      return OptionalLong.empty();
    }
    try {
      long n = (long) Double.parseDouble(v.get().trim());
      return n >= 0 ? OptionalLong.of(n) : OptionalLong.empty();
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** Parses {@code 1h2m3.5s}, {@code 20ms}, {@code 6m0s} or a plain number of seconds. */
  static Optional<Duration> duration(String raw) {
    String s = raw.trim();
    if (s.isEmpty()) {
      return Optional.empty();
    }
    try {
      double seconds = Double.parseDouble(s);
      return seconds >= 0 ? Optional.of(ofSeconds(seconds)) : Optional.empty();
    } catch (NumberFormatException notPlain) {
      // fall through to the unit form
    }
    Matcher m = PART.matcher(s);
    double seconds = 0;
    int end = 0;
    while (m.find()) {
      if (m.start() != end) {
        return Optional.empty();
      }
      double v = Double.parseDouble(m.group(1));
      seconds +=
          switch (m.group(2)) {
            case "ms" -> v / 1000;
            case "s" -> v;
            case "m" -> v * 60;
            default -> v * 3600;
          };
      end = m.end();
    }
    return end == s.length() && end > 0 ? Optional.of(ofSeconds(seconds)) : Optional.empty();
  }

  private static Duration ofSeconds(double seconds) {
    return Duration.ofNanos((long) Math.min(seconds * 1e9, 365 * 86400e9));
  }
}
