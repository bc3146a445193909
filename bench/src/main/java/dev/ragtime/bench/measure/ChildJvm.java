package dev.ragtime.bench.measure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts a fresh JVM on this JVM's class path, so each measured contender starts cold, with no JIT
 * state, threads or static state left by another. Always passes the flags Ragtime's launcher uses
 * ({@link #RAGTIME_FLAGS}) and the environment that keeps ONNX Runtime and DJL from writing outside
 * the build.
 */
public final class ChildJvm {
  /** What {@code ./ragtime} starts the JVM with: Lucene's vector code and native access. */
  public static final List<String> RAGTIME_FLAGS =
      List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED");

  private ChildJvm() {}

  /**
   * Runs {@code mainClass} to completion.
   *
   * @param jvmArgs extra JVM options (heap size and the like)
   * @param scratch directory for the child's {@code java.io.tmpdir} and DJL's native cache
   * @param log file that receives the child's stdout and stderr
   * @return the exit code
   * @throws IllegalStateException if the child outlives {@code timeout} (it is killed)
   */
  public static int run(
      List<String> jvmArgs,
      String mainClass,
      List<String> args,
      Path scratch,
      Path log,
      Duration timeout)
      throws IOException, InterruptedException {
    Files.createDirectories(scratch);
    Files.createDirectories(log.toAbsolutePath().getParent());
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(RAGTIME_FLAGS);
    command.addAll(jvmArgs);
    command.add("-Djava.io.tmpdir=" + scratch.toAbsolutePath());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.redirectOutput(log.toFile());
    Map<String, String> env = pb.environment();
    env.put("ORT_DISABLE_TELEMETRY", "1");
    env.put("OPT_OUT_TRACKING", "true");
    env.put("DJL_CACHE_DIR", scratch.resolve("djl").toAbsolutePath().toString());
    Process p = pb.start();
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      p.waitFor();
      throw new IllegalStateException(mainClass + " ran longer than " + timeout + "; see " + log);
    }
    return p.exitValue();
  }
}
