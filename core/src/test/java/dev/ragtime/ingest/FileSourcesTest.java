package dev.ragtime.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.ragtime.document.DocumentParsers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a folder or file scan finds, skips and reports, with the ids it gives documents. */
class FileSourcesTest {
  @TempDir Path tmp;
  private final DocumentParsers parsers = DocumentParsers.create();

  private Path write(String name, String content) throws IOException {
    Path p = tmp.resolve(name);
    Files.createDirectories(p.getParent());
    return Files.writeString(p, content);
  }

  @Test
  void aFolderGivesSortedDocumentsWithSlashIdsRelativeToItsRootAndSkipsHiddenOnes()
      throws IOException {
    write("notes/b.md", "b");
    write("notes/a/z.txt", "z");
    write("notes/a.txt", "a");
    write("notes/.git/config.txt", "hidden folder");
    write("notes/.draft.md", "hidden file");
    write("notes/Makefile", "no extension");
    write("notes/photo.jpeg", "unsupported");

    SourceScan scan = FileSources.scan(List.of(tmp.resolve("notes")), parsers);

    assertThat(scan.documents())
        .extracting(SourceDocument::id)
        .containsExactly("a.txt", "a/z.txt", "b.md");
    assertThat(scan.documents())
        .extracting(SourceDocument::path)
        .containsExactly(
            tmp.resolve("notes/a.txt").toString(),
            tmp.resolve("notes/a/z.txt").toString(),
            tmp.resolve("notes/b.md").toString());
    assertThat(scan.failures()).isEmpty();
    assertThat(scan.skipped())
        .extracting(IngestReport.Failure::reason)
        .containsExactlyInAnyOrder(
            "unsupported file type (no extension); Ragtime reads .txt .md .markdown .html .htm"
                + " .pdf (JSONL corpora when named directly)",
            "unsupported file type '.jpeg'; Ragtime reads .txt .md .markdown .html .htm .pdf"
                + " (JSONL corpora when named directly)");
  }

  @Test
  void aHiddenFolderNamedAsTheRootIsScanned() throws IOException {
    write(".notes/a.md", "a");
    assertThat(FileSources.scan(List.of(tmp.resolve(".notes")), parsers).documents())
        .extracting(SourceDocument::id)
        .containsExactly("a.md");
  }

  @Test
  void aFileNamedDirectlyIsItsOwnDocumentAndAnUnsupportedOneIsSkipped() throws IOException {
    Path file = write("deep/dir/readme.md", "# Hi");
    Path image = write("deep/dir/logo.png", "x");

    SourceScan scan = FileSources.scan(List.of(file, image), parsers);

    assertThat(scan.documents())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.id()).isEqualTo("readme.md");
              assertThat(d.parse().plainText()).contains("Hi");
            });
    assertThat(scan.skipped())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.path()).isEqualTo(image.toString());
              assertThat(f.reason()).startsWith("unsupported file type '.png'");
            });
  }

  @Test
  void aMissingRootIsAFailureNamingItAndTheOtherRootsAreStillScanned() throws IOException {
    write("there/a.txt", "a");
    Path missing = tmp.resolve("not-there");

    SourceScan scan = FileSources.scan(List.of(missing, tmp.resolve("there")), parsers);

    assertThat(scan.failures())
        .containsExactly(
            new IngestReport.Failure(missing.toString(), "no such file or directory: " + missing));
    assertThat(scan.documents()).extracting(SourceDocument::id).containsExactly("a.txt");
  }

  @Test
  void aFileThatVanishesBeforeItIsReadFailsWithItsReason() throws IOException {
    Path file = write("gone.txt", "soon gone");
    SourceDocument doc = FileSources.scan(List.of(file), parsers).documents().getFirst();
    Files.delete(file);

    assertThat(catchThrowable(doc::parse))
        .isInstanceOf(SourceException.class)
        .hasMessage("no such file; check the path");
    assertThat(catchThrowable(() -> doc.contentHash("f"))).isInstanceOf(SourceException.class);
  }

  @Test
  void aNameThatIsAllExtensionIsReportedWithIt() {
    assertThat(FileSources.unsupportedReason(Path.of("dir/.gitignore")))
        .startsWith("unsupported file type '.gitignore';");
    assertThat(FileSources.unsupportedReason(Path.of("dir/LICENSE")))
        .startsWith("unsupported file type (no extension);");
  }

  @Test
  void readErrorsSayWhatHappenedAndWhatToDo() {
    Path p = Path.of("/data/a.txt");
    assertThat(FileSources.ioReason(p, new java.nio.file.AccessDeniedException("/data/a.txt")))
        .isEqualTo("permission denied reading /data/a.txt; check the file's permissions");
    assertThat(FileSources.ioReason(p, new java.nio.file.NoSuchFileException("/data/a.txt")))
        .isEqualTo("vanished while reading: /data/a.txt");
    assertThat(FileSources.ioReason(p, new IOException("Input/output error")))
        .isEqualTo("cannot read /data/a.txt: Input/output error");
    assertThat(FileSources.ioReason(p, new IOException()))
        .isEqualTo("cannot read /data/a.txt: IOException");
  }
}
