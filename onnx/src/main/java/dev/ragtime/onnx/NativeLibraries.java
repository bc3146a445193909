package dev.ragtime.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the two native libraries this module needs from a cache directory the caller chose.
 *
 * <p>Design note. Left alone, both libraries extract their natives somewhere the user did not ask
 * for: ONNX Runtime into a fresh {@code java.io.tmpdir/onnxruntime-java*} folder per run (left
 * behind as an empty folder), and DJL's tokenizer loader into {@code ~/.djl.ai}, after probing for
 * CUDA through JNA (which writes {@code ~/.cache/JNA}). Instead we copy the natives out of their
 * jars into {@code <cacheDir>/natives/<library>-<version>-<platform>/} once and load them from
 * there: the tokenizer library with {@link System#load}, ONNX Runtime through its documented {@code
 * onnxruntime.native.path} system property. DJL's own loader ({@code LibUtils}) is never touched.
 * ONNX Runtime still creates and immediately marks for deletion an empty temporary folder while it
 * initialises; it is removed when the JVM exits normally.
 *
 * <p>ONNX Runtime 1.29 also initialises Microsoft's 1DS telemetry on Linux and macOS: it writes
 * {@code ~/.cache/Microsoft/DeveloperTools/.onnxruntime/}, {@code /tmp/.ses} and {@code
 * /tmp/mat-debug-<pid>.log} and queues an upload, unless the environment variable {@code
 * ORT_DISABLE_TELEMETRY=1} (or a CI marker such as {@code CI=true}) is set before the JVM starts. A
 * JVM cannot set its own environment, so launchers must export it; we warn once when it is missing
 * and switch telemetry events off as soon as the environment exists.
 *
 * <p>Native libraries belong to the process, so this state is process-wide: the first successful
 * call decides the directory and later calls with another directory reuse what is loaded.
 * Thread-safe.
 */
final class NativeLibraries {

  private static final Logger LOG = LoggerFactory.getLogger(NativeLibraries.class);

  /** ONNX Runtime reads this once, when its environment is first created. */
  static final String ORT_NATIVE_PATH_PROPERTY = "onnxruntime.native.path";

  /** The environment variable that stops ONNX Runtime's telemetry before it starts. */
  static final String ORT_TELEMETRY_ENV = "ORT_DISABLE_TELEMETRY";

  private static final ReentrantLock LOCK = new ReentrantLock();

  // Guarded by LOCK.
  private static Path loadedFrom;
  private static boolean telemetryWarned;

  private NativeLibraries() {}

  /**
   * Makes the tokenizer and ONNX Runtime natives available, extracting them under {@code cacheDir}
   * on first use, and returns ONNX Runtime's process-wide environment.
   *
   * @throws IllegalStateException when this platform has no bundled natives or loading fails
   * @throws java.io.UncheckedIOException when the cache directory cannot be written
   */
  static OrtEnvironment load(Path cacheDir) {
    // A lock, not synchronized: extracting and loading natives is blocking I/O, which inside a
    // monitor would pin a virtual thread's carrier on JDK 21.
    LOCK.lock();
    try {
      if (loadedFrom == null) {
        Platform platform = Platform.current();
        Path natives = cacheDir.resolve("natives");
        loadTokenizerLibrary(platform, natives);
        prepareOnnxRuntime(platform, natives);
        loadedFrom = cacheDir;
      } else if (!loadedFrom.equals(cacheDir)) {
        LOG.debug(
            "native libraries already loaded from {}; not reloading from {}", loadedFrom, cacheDir);
      }
      warnAboutTelemetryOnce();
    } finally {
      LOCK.unlock();
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try {
      env.setTelemetry(false);
    } catch (OrtException e) {
      LOG.debug("could not switch ONNX Runtime telemetry off", e);
    }
    return env;
  }

  private static void loadTokenizerLibrary(Platform platform, Path natives) {
    String version =
        NativeFiles.property("/native/lib/tokenizers.properties", "version").orElse("unknown");
    Path dir = natives.resolve("tokenizers-" + version + "-" + platform.djlClassifier());
    for (String library : platform.tokenizerLibraries()) {
      String resource = "/native/lib/" + platform.djlClassifier() + "/cpu/" + library;
      Path file = NativeFiles.extract(resource, dir.resolve(library));
      try {
        System.load(file.toString());
      } catch (UnsatisfiedLinkError e) {
        throw new IllegalStateException("cannot load the tokenizer library " + file, e);
      }
    }
    LOG.debug("tokenizer natives loaded from {}", dir);
  }

  private static void prepareOnnxRuntime(Platform platform, Path natives) {
    String configured = System.getProperty(ORT_NATIVE_PATH_PROPERTY);
    if (configured != null) {
      LOG.debug("{} is already set to {}; using it", ORT_NATIVE_PATH_PROPERTY, configured);
      return;
    }
    String version =
        Optional.ofNullable(OrtEnvironment.class.getPackage().getImplementationVersion())
            .orElse("unknown");
    Path dir = natives.resolve("onnxruntime-" + version + "-" + platform.ortClassifier());
    for (String library : platform.ortLibraries()) {
      NativeFiles.extract(
          "/ai/onnxruntime/native/" + platform.ortClassifier() + "/" + library,
          dir.resolve(library));
    }
    System.setProperty(ORT_NATIVE_PATH_PROPERTY, dir.toString());
    LOG.debug("ONNX Runtime natives prepared in {}", dir);
  }

  private static void warnAboutTelemetryOnce() {
    if (telemetryWarned) {
      return;
    }
    telemetryWarned = true;
    if (!truthy(System.getenv(ORT_TELEMETRY_ENV)) && !truthy(System.getenv("CI"))) {
      LOG.warn(
          "ONNX Runtime 1.29 collects usage telemetry and writes ~/.cache/Microsoft and /tmp/.ses"
              + " unless the environment variable {}=1 is set before the JVM starts",
          ORT_TELEMETRY_ENV);
    }
  }

  private static boolean truthy(String value) {
    if (value == null) {
      return false;
    }
    String v = value.trim().toLowerCase(Locale.ROOT);
    return !v.isEmpty() && !v.equals("0") && !v.equals("false") && !v.equals("no");
  }

  /** Where the natives of one operating system and architecture live inside the jars. */
  record Platform(
      String djlClassifier,
      String ortClassifier,
      List<String> tokenizerLibraries,
      List<String> ortLibraries) {

    static Platform current() {
      String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
      String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
      boolean x64 = arch.equals("amd64") || arch.equals("x86_64");
      boolean arm64 = arch.equals("aarch64") || arch.equals("arm64");
      if (os.contains("linux") && (x64 || arm64)) {
        String name = x64 ? "x86_64" : "aarch64";
        return new Platform(
            "linux-" + name,
            x64 ? "linux-x64" : "linux-aarch64",
            List.of("libtokenizers.so"),
            List.of("libonnxruntime.so", "libonnxruntime4j_jni.so"));
      }
      if ((os.contains("mac") || os.contains("darwin")) && arm64) {
        return new Platform(
            "osx-aarch64",
            "osx-aarch64",
            List.of("libtokenizers.dylib"),
            List.of("libonnxruntime.dylib", "libonnxruntime4j_jni.dylib"));
      }
      if (os.contains("win") && x64) {
        return new Platform(
            "win-x86_64",
            "win-x64",
            List.of(
                "libwinpthread-1.dll", "libgcc_s_seh-1.dll", "libstdc++-6.dll", "tokenizers.dll"),
            List.of(
                "onnxruntime_providers_shared.dll", "onnxruntime.dll", "onnxruntime4j_jni.dll"));
      }
      throw new IllegalStateException(
          "no bundled ONNX Runtime and tokenizer natives for os.name="
              + System.getProperty("os.name")
              + ", os.arch="
              + System.getProperty("os.arch"));
    }
  }
}
