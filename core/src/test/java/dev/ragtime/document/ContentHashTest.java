package dev.ragtime.document;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentHashTest {
  @TempDir Path dir;

  @Test
  void stringHashesMatchKnownSha256Vectors() {
    assertThat(ContentHash.sha256(""))
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assertThat(ContentHash.sha256("abc"))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void stringsAreHashedAsUtf8() {
    assertThat(ContentHash.sha256("naïve 日本"))
        .isEqualTo(ContentHash.sha256("naïve 日本".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void fileHashIsTheHashOfItsBytesEvenBeyondOneBuffer() throws IOException {
    byte[] bytes = new byte[300_001];
    new Random(7).nextBytes(bytes);
    Path file = Files.write(dir.resolve("blob.bin"), bytes);
    assertThat(ContentHash.sha256(file)).isEqualTo(ContentHash.sha256(bytes)).hasSize(64);
    assertThat(ContentHash.sha256(Files.write(dir.resolve("empty"), new byte[0])))
        .isEqualTo(ContentHash.sha256(""));
  }

  @Test
  void missingFileIsUnreadable() {
    assertThatThrownBy(() -> ContentHash.sha256(dir.resolve("nope")))
        .isInstanceOfSatisfying(
            DocumentException.class,
            e -> assertThat(e.reason()).isEqualTo(DocumentException.Reason.UNREADABLE));
  }

  @Test
  void fingerprintsAreUnambiguousAboutPartBoundaries() {
    List<String> fingerprints =
        List.of(
            ContentHash.fingerprint("ab", "c"),
            ContentHash.fingerprint("a", "bc"),
            ContentHash.fingerprint("abc"),
            ContentHash.fingerprint("a", "b", "c"),
            ContentHash.fingerprint("abc", ""),
            ContentHash.fingerprint("", "abc"),
            ContentHash.fingerprint("1:a;", ""),
            ContentHash.fingerprint("1:a;1:"),
            ContentHash.fingerprint(),
            ContentHash.fingerprint(""));
    assertThat(fingerprints).doesNotHaveDuplicates().allSatisfy(f -> assertThat(f).hasSize(64));
  }

  @Test
  void fingerprintIsStableAcrossRunsAndVersions() {
    // Stored fingerprints must stay valid: this value must never change.
    assertThat(ContentHash.fingerprint("model", "chunker/1;max=200;overlap=32;min=32", "abc"))
        .isEqualTo(
            ContentHash.fingerprint(List.of("model", "chunker/1;max=200;overlap=32;min=32", "abc")))
        .isEqualTo("a034c978ff55e91887c8d0a0d6b2dce14ba5364bd52fd3038dfe7ccc8e2b5896");
  }
}
