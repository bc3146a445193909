package dev.ragtime.testing;

import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;

/**
 * The shared datasets ({@code ../shared/data} beside the project checkout). The build passes the
 * location as the system property {@code ragtime.shared.data} (from the directory holding {@code
 * .mvn/}, so a build started inside one module passes the same place); {@code ../../shared/data}
 * from the module directory (where Maven and IDEs run tests) is tried as well.
 *
 * <p>When a dataset is absent a test that needs it is skipped, with a message saying where it
 * looked, except in CI (the environment variable {@code CI} set to anything but {@code false}):
 * there it fails, so that a missing dataset cannot turn an evaluation gate into a silent skip.
 *
 * <p>Read only: CI's copy has no write bits, and nothing here or in its callers may write there.
 */
public final class SharedData {
  /** The system property naming the shared data directory. */
  public static final String PROPERTY = "ragtime.shared.data";

  /** The environment variable that marks a CI run. */
  public static final String CI = "CI";

  private SharedData() {}

  /**
   * A file below the shared data directory, for example {@code beir/scifact/corpus.jsonl}. When it
   * is not a readable regular file the calling test is skipped, or fails in CI.
   */
  public static Path file(String relative) {
    return find(relative, System.getProperty(PROPERTY), System.getenv(CI));
  }

  /** The SciFact dataset directory (BEIR format); skipped (failed in CI) when absent. */
  public static Path sciFact() {
    return file("beir/scifact/corpus.jsonl").getParent();
  }

  /**
   * The lookup behind {@link #file}, with its inputs explicit so that it can be tested: the
   * property's value (or null) and the {@code CI} variable's (or null).
   */
  static Path find(String relative, String property, String ciVariable) {
    Set<Path> candidates = new LinkedHashSet<>();
    if (property != null && !property.isBlank()) {
      candidates.add(Path.of(property).resolve(relative).normalize());
    }
    candidates.add(Path.of("../../shared/data").resolve(relative).normalize());
    List<String> looked = new ArrayList<>();
    for (Path candidate : candidates) {
      if (Files.isRegularFile(candidate) && Files.isReadable(candidate)) {
        return candidate;
      }
      looked.add(candidate.toAbsolutePath().normalize().toString());
    }
    String message =
        "shared data file "
            + relative
            + " is absent (looked at "
            + String.join(", ", looked)
            + "); set -D"
            + PROPERTY
            + " to the shared data directory";
    if (inCi(ciVariable)) {
      return fail(message + ". CI is set, so this fails instead of skipping");
    }
    return Assumptions.abort(message);
  }

  /** Whether {@code ciVariable} (the value of {@code CI}, or null) marks a CI run. */
  public static boolean inCi(String ciVariable) {
    return ciVariable != null && !ciVariable.isBlank() && !ciVariable.equalsIgnoreCase("false");
  }
}
