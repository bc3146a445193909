package dev.ragtime.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds monitors in source code: a {@code synchronized} block or method around blocking work pins a
 * virtual thread's carrier on JDK 21 (our bytecode floor), so the modules that open indexes and
 * load models use {@code ReentrantLock} or lazy holders instead, and their tests check the sources.
 */
public final class Monitors {
  /** A synchronized block or method (not {@code Collections.synchronizedList} and the like). */
  public static final Pattern MONITOR = Pattern.compile("\\bsynchronized(\\s*\\(|\\s+[\\w<])");

  private Monitors() {}

  /** Lines of the Java files under {@code dir} that declare a monitor, as "file:line: text". */
  public static List<String> in(Path dir) throws IOException {
    assertThat(dir).isDirectory();
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
          String line = lines.get(i).strip();
          boolean comment = line.startsWith("//") || line.startsWith("*") || line.startsWith("/*");
          if (!comment && MONITOR.matcher(line).find()) {
            found.add(file + ":" + (i + 1) + ": " + line);
          }
        }
      }
    }
    return found;
  }
}
