package dev.ragtime.document;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ragtime.document.DocumentException.Reason;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DocumentParsersTest {
  @TempDir Path dir;
  final DocumentParsers parsers = DocumentParsers.create();

  static void assertFails(ThrowingCallable call, Reason reason, String... messageParts) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            DocumentException.class, e -> assertThat(e.reason()).isEqualTo(reason))
        .hasMessageContainingAll(messageParts);
  }

  Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
  }

  @Test
  void supportsKnowsTheExtensionsCaseInsensitively() {
    assertThat(DocumentParsers.supports(Path.of("a.txt"))).isTrue();
    assertThat(DocumentParsers.supports(Path.of("dir/README.MD"))).isTrue();
    assertThat(DocumentParsers.supports(Path.of("b.markdown"))).isTrue();
    assertThat(DocumentParsers.supports(Path.of("c.Html"))).isTrue();
    assertThat(DocumentParsers.supports(Path.of("d.htm"))).isTrue();
    assertThat(DocumentParsers.supports(Path.of("e.pdf"))).isTrue();
    assertThat(DocumentParsers.supports(Path.of("f.docx"))).isFalse();
    assertThat(DocumentParsers.supports(Path.of("Makefile"))).isFalse();
    assertThat(DocumentParsers.supports(Path.of("/"))).isFalse();
  }

  @Test
  void unsupportedExtensionIsRefusedWithTheSupportedList() throws IOException {
    Path file = write("notes.xyz", "hello");
    assertFails(
        () -> parsers.parse(file),
        Reason.UNSUPPORTED,
        "unsupported file type '.xyz'; supported: .txt .md .markdown .html .htm .pdf");
    assertFails(
        () -> parsers.parse("Makefile", new byte[] {'a'}), Reason.UNSUPPORTED, "no extension");
  }

  @Test
  void missingFileIsUnreadable() {
    Path missing = dir.resolve("missing.txt");
    assertThatThrownBy(() -> parsers.parse(missing))
        .isInstanceOfSatisfying(
            DocumentException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.UNREADABLE);
              assertThat(e.source()).isEqualTo(missing.toString());
            })
        .hasMessageContaining("no such file");
  }

  @Test
  void directoryIsUnreadable() throws IOException {
    Path sub = Files.createDirectory(dir.resolve("folder.md"));
    assertFails(() -> parsers.parse(sub), Reason.UNREADABLE, "is a directory");
  }

  @Test
  void aFileThatCannotBeReadIsUnreadableEvenForRoot() throws IOException {
    // A Unix domain socket where a file is expected: open(2) fails with ENXIO for every user,
    // root included, so this part runs everywhere (and never blocks the way opening a FIFO
    // without a writer would).
    Path socket = dir.resolve("socket.txt");
    try (var server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));
      assertFails(() -> parsers.parse(socket), Reason.UNREADABLE, "could not be read");
    }

    // A file without read permission: root reads it anyway, so the permission message can only
    // be checked as another user (CI runs as root; developers usually do not).
    Path file = write("secret.txt", "top secret");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
    try {
      if (Files.isReadable(file)) {
        assertThat(parsers.parse(file).plainText()).isEqualTo("top secret");
      } else {
        assertFails(() -> parsers.parse(file), Reason.UNREADABLE, "permission denied");
      }
    } finally {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
  }

  @Test
  void fileOverTheSizeLimitIsRefusedBeforeParsing() throws IOException {
    var small = DocumentParsers.create(100);
    Path file = write("big.txt", "x".repeat(101));
    assertFails(() -> small.parse(file), Reason.TOO_LARGE, "101 bytes", "limit of 100 bytes");
    assertFails(() -> small.parse("big.txt", new byte[101]), Reason.TOO_LARGE, "101 bytes");
    assertThat(small.parse(write("ok.txt", "x".repeat(100))).plainText()).hasSize(100);
    assertThat(DocumentParsers.create().maxFileBytes()).isEqualTo(50L * 1024 * 1024);
  }

  @Test
  void sizeLimitMustBePositive() {
    assertThatThrownBy(() -> DocumentParsers.create(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was 0");
  }

  @Test
  void emptyOrBlankFilesAreEmptyDocumentsForEveryType() throws IOException {
    for (String name : new String[] {"empty.txt", "empty.md", "empty.html"}) {
      Path file = write(name, "");
      assertFails(() -> parsers.parse(file), Reason.EMPTY, "no text found");
    }
    assertFails(() -> parsers.parse(write("blank.txt", " \n\t\n  ")), Reason.EMPTY, "no text");
    assertFails(
        () -> parsers.parse(write("markup.html", "<html><script>x()</script></html>")),
        Reason.EMPTY,
        "no text");
    assertFails(() -> parsers.parse(write("rule.md", "---\n\n***\n")), Reason.EMPTY, "no text");
  }

  @Test
  void everyDocumentCarriesTypeAndFileNameAndFallsBackToTheFileNameAsTitle() throws IOException {
    ParsedDocument txt = parsers.parse(write("release.notes.txt", "Some notes."));
    assertThat(txt.title()).isEqualTo("release.notes");
    assertThat(txt.metadata())
        .containsEntry("type", "txt")
        .containsEntry("filename", "release.notes.txt");
    assertThat(parsers.parse(write("a.md", "text")).metadata()).containsEntry("type", "md");
    assertThat(parsers.parse(write("a.htm", "<p>text")).metadata()).containsEntry("type", "html");
    assertThat(parsers.parse(write("untitled.md", "## Second level only\n\ntext")).title())
        .isEqualTo("untitled");
  }

  @Test
  void inMemoryContentIsParsedLikeAFile() throws IOException {
    byte[] html = "<title>Upload</title><p>Body".getBytes(StandardCharsets.UTF_8);
    ParsedDocument fromBytes = parsers.parse("upload.html", html);
    ParsedDocument fromFile = parsers.parse(Files.write(dir.resolve("upload.html"), html));
    assertThat(fromBytes).isEqualTo(fromFile);
    assertThat(fromBytes.title()).isEqualTo("Upload");
  }

  @Test
  void plainTextParagraphsAreSplitAtBlankLinesKeepingLineBreaksInside() throws IOException {
    ParsedDocument doc =
        parsers.parse(
            write(
                "story.txt",
                "First  paragraph,\r\n   second\tline.\r\n\r\n \t \r\nSecond paragraph.\n\n\n\nThird."));
    assertThat(doc.blocks())
        .containsExactly(
            Block.paragraph("First paragraph,\nsecond line."),
            Block.paragraph("Second paragraph."),
            Block.paragraph("Third."));
    assertThat(doc.metadata()).containsEntry("charset", "UTF-8");
  }

  @Test
  void textWithNulBytesIsBinary() throws IOException {
    byte[] png = {
      (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'
    };
    Path file = Files.write(dir.resolve("image.txt"), png);
    assertFails(() -> parsers.parse(file), Reason.BINARY, "NUL byte at offset 8");
    Path html = Files.write(dir.resolve("image.html"), png);
    assertFails(() -> parsers.parse(html), Reason.BINARY, "NUL byte");
  }

  @Test
  void textFullOfControlCharactersIsBinary() throws IOException {
    byte[] bytes = new byte[400];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (i % 3 == 0 ? 0x01 + (i % 30) : 'a'); // no NUL, many control bytes
    }
    Path file = Files.write(dir.resolve("blob.md"), bytes);
    assertFails(() -> parsers.parse(file), Reason.BINARY, "control characters");
  }

  @Test
  void legacyLatinTextIsReadAsWindows1252() throws IOException {
    byte[] bytes =
        "Café crème – naïve résumé".getBytes(java.nio.charset.Charset.forName("windows-1252"));
    ParsedDocument doc = parsers.parse(Files.write(dir.resolve("latin.txt"), bytes));
    assertThat(doc.plainText()).isEqualTo("Café crème – naïve résumé");
    assertThat(doc.metadata()).containsEntry("charset", "windows-1252");
  }

  @Test
  void mostlyValidUtf8WithADamagedByteIsRepaired() throws IOException {
    byte[] good = "Größe: 5 µm — ok. ".repeat(5).getBytes(StandardCharsets.UTF_8);
    byte[] bytes = java.util.Arrays.copyOf(good, good.length + 1);
    bytes[good.length] = (byte) 0xC3; // a truncated two-byte sequence at the end
    ParsedDocument doc = parsers.parse(Files.write(dir.resolve("damaged.txt"), bytes));
    assertThat(doc.plainText()).startsWith("Größe: 5 µm").endsWith("\uFFFD");
    assertThat(doc.metadata()).containsEntry("charset", "UTF-8 (repaired)");
  }

  @Test
  void utf16WithByteOrderMarkIsDecoded() throws IOException {
    byte[] body = "Hello UTF-16 world.".getBytes(StandardCharsets.UTF_16LE);
    byte[] bytes = new byte[body.length + 2];
    bytes[0] = (byte) 0xFF;
    bytes[1] = (byte) 0xFE;
    System.arraycopy(body, 0, bytes, 2, body.length);
    ParsedDocument doc = parsers.parse(Files.write(dir.resolve("wide.txt"), bytes));
    assertThat(doc.plainText()).isEqualTo("Hello UTF-16 world.");
  }

  @Test
  void utf8ByteOrderMarkIsNotPartOfTheText() throws IOException {
    byte[] body = "# Title\n\nText".getBytes(StandardCharsets.UTF_8);
    byte[] bytes = new byte[body.length + 3];
    bytes[0] = (byte) 0xEF;
    bytes[1] = (byte) 0xBB;
    bytes[2] = (byte) 0xBF;
    System.arraycopy(body, 0, bytes, 3, body.length);
    ParsedDocument doc = parsers.parse(Files.write(dir.resolve("bom.md"), bytes));
    assertThat(doc.blocks()).first().isEqualTo(Block.heading(1, "Title"));
  }
}
