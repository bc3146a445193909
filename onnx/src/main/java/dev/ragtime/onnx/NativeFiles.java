package dev.ragtime.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.Properties;

/**
 * Copies classpath resources (native libraries, the model) into the cache directory once.
 *
 * <p>A file is written under a temporary name and renamed into place, so a reader never sees a
 * half-written file and two processes extracting at the same time both end up with a complete one.
 * An existing file is reused when its size matches the resource.
 */
final class NativeFiles {

  private NativeFiles() {}

  /**
   * Ensures {@code target} holds the classpath resource {@code resource}.
   *
   * @return {@code target}
   * @throws IllegalStateException when the resource is not on the classpath
   * @throws UncheckedIOException when the file cannot be written
   */
  static Path extract(String resource, Path target) {
    URL url = NativeFiles.class.getResource(resource);
    if (url == null) {
      throw new IllegalStateException("resource " + resource + " is not on the classpath");
    }
    try {
      URLConnection connection = url.openConnection();
      connection.setUseCaches(false);
      long expectedSize = connection.getContentLengthLong();
      if (Files.isRegularFile(target) && (expectedSize < 0 || Files.size(target) == expectedSize)) {
        return target;
      }
      Files.createDirectories(target.getParent());
      Path partial =
          Files.createTempFile(target.getParent(), target.getFileName().toString(), ".partial");
      try {
        try (InputStream in = connection.getInputStream()) {
          Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
        }
        moveIntoPlace(partial, target);
      } finally {
        Files.deleteIfExists(partial);
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot extract " + resource + " to " + target, e);
    }
  }

  private static void moveIntoPlace(Path partial, Path target) throws IOException {
    try {
      Files.move(
          partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      // Windows refuses to replace a library another process has loaded; that copy is complete.
      if (!Files.isRegularFile(target)) {
        throw e;
      }
    }
  }

  /** Reads one key of a properties resource, if both exist. */
  static Optional<String> property(String resource, String key) {
    try (InputStream in = NativeFiles.class.getResourceAsStream(resource)) {
      if (in == null) {
        return Optional.empty();
      }
      Properties properties = new Properties();
      properties.load(in);
      return Optional.ofNullable(properties.getProperty(key)).map(String::trim);
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
