package dev.ragtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@link LoadProbe} in a child JVM whose temporary directory and home are fresh, empty
 * folders, because natives load once per process: only a new process shows what a first load
 * writes. The child gets the environment our launcher sets ({@code ORT_DISABLE_TELEMETRY=1}) and
 * none of DJL's cache variables, so DJL's own loader would betray itself by writing {@code
 * ~/.djl.ai}.
 */
class NoStrayFilesTest {

  @Test
  void loadingWritesOnlyIntoTheCacheDirectory(@TempDir Path root) throws Exception {
    Path tmp = Files.createDirectory(root.resolve("tmp"));
    Path home = Files.createDirectory(root.resolve("home"));
    Path cache = root.resolve("cache");

    Process child = startProbe(tmp, home, cache);
    boolean finished = child.waitFor(120, TimeUnit.SECONDS);
    if (!finished) {
      child.destroyForcibly();
    }
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(finished).as("probe finished; output:%n%s", output).isTrue();
    assertThat(child.exitValue()).as("probe exit code; output:%n%s", output).isZero();
    assertThat(output).contains("dimension=384");
    assertThat(list(tmp)).as("files left in java.io.tmpdir").isEmpty();
    assertThat(list(home)).as("files left in the home directory (~/.djl.ai, ~/.cache)").isEmpty();
    assertThat(list(cache))
        .anyMatch(p -> p.getFileName().toString().startsWith("libonnxruntime"))
        .anyMatch(p -> p.getFileName().toString().startsWith("libtokenizers"))
        .anyMatch(p -> p.getFileName().toString().endsWith(".onnx"))
        .noneMatch(p -> p.getFileName().toString().endsWith(".partial"));
  }

  private static Process startProbe(Path tmp, Path home, Path cache) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-Xmx512m");
    command.add("-Djava.io.tmpdir=" + tmp);
    command.add("-Duser.home=" + home);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(LoadProbe.class.getName());
    command.add(cache.toString());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.keySet().removeAll(List.of("DJL_CACHE_DIR", "ENGINE_CACHE_DIR", "XDG_CACHE_HOME"));
    env.put("HOME", home.toString());
    env.put("TMPDIR", tmp.toString());
    env.put(NativeLibraries.ORT_TELEMETRY_ENV, "1");
    return builder.start();
  }

  private static List<Path> list(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(p -> !p.equals(dir)).toList();
    }
  }
}
