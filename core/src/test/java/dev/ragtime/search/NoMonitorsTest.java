package dev.ragtime.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ragtime.testing.Monitors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The packages that open, commit and search Lucene indexes and load models hold no monitors: a
 * {@code synchronized} block or method around blocking work pins a virtual thread's carrier on JDK
 * 21 (our bytecode floor), so they use {@code ReentrantLock} or lazy holders instead.
 */
class NoMonitorsTest {
  @Test
  void ingestIndexAndSearchUseLocksInsteadOfSynchronized() throws IOException {
    Path main = Path.of("src", "main", "java", "dev", "ragtime");
    List<String> found = new ArrayList<>();
    for (String pkg : List.of("ingest", "index", "search")) {
      found.addAll(Monitors.in(main.resolve(pkg)));
    }
    assertThat(found).isEmpty();
  }

  @Test
  void thePatternFindsBlocksAndMethodsButNotCommentsOrWrappers() {
    assertThat(Monitors.MONITOR.matcher("    synchronized (this) {").find()).isTrue();
    assertThat(Monitors.MONITOR.matcher("  private synchronized void draw() {").find()).isTrue();
    assertThat(Monitors.MONITOR.matcher("  synchronized <M> M register(M m) {").find()).isTrue();
    assertThat(Monitors.MONITOR.matcher("Collections.synchronizedList(new ArrayList<>())").find())
        .isFalse();
  }
}
