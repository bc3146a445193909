package dev.ragtime.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packages that open, commit and search Lucene indexes and load models hold no monitors: a
 * {@code synchronized} block or method around blocking work pins a virtual thread's carrier on JDK
 * 21 (our bytecode floor), so they use {@code ReentrantLock} or lazy holders instead.
 */
class NoMonitorsTest {
  /** A synchronized block or method (not {@code Collections.synchronizedList} and the like). */
  static final Pattern MONITOR = Pattern.compile("\\bsynchronized(\\s*\\(|\\s+[\\w<])");

  @Test
  void ingestIndexAndSearchUseLocksInsteadOfSynchronized() throws IOException {
    Path main = Path.of("src", "main", "java", "dev", "ragtime");
    List<String> found = new ArrayList<>();
    for (String pkg : List.of("ingest", "index", "search")) {
      found.addAll(monitors(main.resolve(pkg)));
    }
    assertThat(found).isEmpty();
  }

  @Test
  void thePatternFindsBlocksAndMethodsButNotCommentsOrWrappers() {
    assertThat(MONITOR.matcher("    synchronized (this) {").find()).isTrue();
    assertThat(MONITOR.matcher("  private synchronized void draw() {").find()).isTrue();
    assertThat(MONITOR.matcher("  synchronized <M> M register(M m) {").find()).isTrue();
    assertThat(MONITOR.matcher("Collections.synchronizedList(new ArrayList<>())").find()).isFalse();
  }

  /** Lines of the Java files under {@code dir} that declare a monitor, as "file:line: text". */
  static List<String> monitors(Path dir) throws IOException {
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
