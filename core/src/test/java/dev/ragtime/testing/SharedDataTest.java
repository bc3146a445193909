package dev.ragtime.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

/** Where the shared datasets are looked for, and that CI never skips over a missing one. */
class SharedDataTest {
  @TempDir Path dir;

  @Test
  void aFilePresentUnderTheConfiguredDirectoryIsFound() throws IOException {
    Path file = dir.resolve("beir/scifact/corpus.jsonl");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "{}\n");

    assertThat(SharedData.find("beir/scifact/corpus.jsonl", dir.toString(), "true"))
        .isEqualTo(file);
  }

  @Test
  void anAbsentFileSkipsOutsideCiNamingWhereItLooked() {
    assertThatThrownBy(() -> SharedData.find("nothing/here.jsonl", dir.toString(), null))
        .isInstanceOf(TestAbortedException.class)
        .hasMessageContaining(dir.resolve("nothing/here.jsonl").toString())
        .hasMessageContaining("-Dragtime.shared.data");
    assertThatThrownBy(() -> SharedData.find("nothing/here.jsonl", dir.toString(), "false"))
        .isInstanceOf(TestAbortedException.class);
  }

  @Test
  void anAbsentFileFailsInCi() {
    assertThatThrownBy(() -> SharedData.find("nothing/here.jsonl", dir.toString(), "true"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining(dir.resolve("nothing/here.jsonl").toString())
        .hasMessageContaining("CI is set");
    assertThatThrownBy(() -> SharedData.find("nothing/here.jsonl", dir.toString(), "1"))
        .isInstanceOf(AssertionError.class);
  }

  @Test
  void aDirectoryWhereTheFileShouldBeCountsAsAbsent() throws IOException {
    Files.createDirectories(dir.resolve("scratch/corpus.jsonl"));

    assertThatThrownBy(() -> SharedData.find("scratch/corpus.jsonl", dir.toString(), "true"))
        .isInstanceOf(AssertionError.class);
  }

  @Test
  void theBuildPointsAtTheSharedDataBesideTheCheckout() {
    // Surefire passes the property; from a module directory it must resolve to ../shared/data of
    // the checkout (the parent of the directory holding .mvn/), wherever the build was started.
    String property = System.getProperty(SharedData.PROPERTY);
    assertThat(property).as("the build passes -D%s", SharedData.PROPERTY).isNotBlank();
    Path checkout = Path.of("").toAbsolutePath().getParent();
    assertThat(Files.isDirectory(checkout.resolve(".mvn")))
        .as("module's parent is the root")
        .isTrue();
    assertThat(Path.of(property).toAbsolutePath().normalize())
        .isEqualTo(checkout.getParent().resolve("shared/data").normalize());
  }
}
