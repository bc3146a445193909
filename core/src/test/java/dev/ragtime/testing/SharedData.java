package dev.ragtime.testing;

import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The shared datasets ({@code ../shared/data} beside the project): tests that need one skip, with a
 * message saying where they looked, when it is absent. The build passes the location as the system
 * property {@code ragtime.shared.data}; without it, {@code ../../shared/data} from the module
 * directory (where Maven and IDEs run tests) is tried. Never write there.
 */
public final class SharedData {
  /** The system property naming the shared data directory. */
  public static final String PROPERTY = "ragtime.shared.data";

  private SharedData() {}

  /**
   * A file below the shared data directory, for example {@code beir/scifact/corpus.jsonl}; the
   * calling test is skipped when it is not there.
   */
  public static Path file(String relative) {
    Path file = Path.of(System.getProperty(PROPERTY, "../../shared/data"), relative);
    assumeThat(Files.isReadable(file))
        .as("shared data file %s is absent; set -D%s to the shared data directory", file, PROPERTY)
        .isTrue();
    return file;
  }

  /** The SciFact dataset directory (BEIR format); the calling test is skipped when absent. */
  public static Path sciFact() {
    return file("beir/scifact/corpus.jsonl").getParent();
  }
}
