package dev.ragtime.cli;

import dev.ragtime.config.Settings;
import java.time.Duration;
import picocli.CommandLine;

/**
 * Reads a duration option the way the configuration file does ({@link Settings#parseDuration}):
 * {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, a bare number of seconds, or {@code PT30S}.
 */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    return Settings.parseDuration(value.strip())
        .orElseThrow(
            () ->
                new CommandLine.TypeConversionException(
                    "'"
                        + value
                        + "' is not a duration; write one such as 500ms, 30s, 2m or PT30S"));
  }
}
