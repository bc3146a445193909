package dev.ragtime.document;

import static dev.ragtime.document.DocumentParsersTest.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ragtime.document.DocumentException.Reason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.encryption.AccessPermission;
import org.apache.pdfbox.pdmodel.encryption.StandardProtectionPolicy;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PdfParsingTest {
  @TempDir Path dir;
  final DocumentParsers parsers = DocumentParsers.create();

  /** Writes a PDF whose pages hold the given lines; an empty string leaves a blank line. */
  static byte[] pdf(
      String title, String ownerPassword, String userPassword, List<List<String>> pages)
      throws IOException {
    try (var doc = new PDDocument()) {
      var font = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
      for (List<String> lines : pages) {
        var page = new PDPage();
        doc.addPage(page);
        try (var content = new PDPageContentStream(doc, page)) {
          content.beginText();
          content.setFont(font, 12);
          content.setLeading(14);
          content.newLineAtOffset(72, 700);
          for (String line : lines) {
            if (!line.isEmpty()) {
              content.showText(line);
            }
            content.newLine();
          }
          content.endText();
        }
      }
      if (title != null) {
        doc.getDocumentInformation().setTitle(title);
        doc.getDocumentInformation().setAuthor("Grace Hopper");
      }
      if (ownerPassword != null) {
        var policy =
            new StandardProtectionPolicy(ownerPassword, userPassword, new AccessPermission());
        policy.setEncryptionKeyLength(128);
        doc.protect(policy);
      }
      var out = new ByteArrayOutputStream();
      doc.save(out);
      return out.toByteArray();
    }
  }

  @Test
  void textIsExtractedPerPageWithParagraphsAtBlankLinesAndLinesUnwrapped() throws IOException {
    byte[] bytes =
        pdf(
            "Annual Report",
            null,
            null,
            List.of(
                List.of(
                    "Introduction",
                    "",
                    "The first paragraph starts here and",
                    "continues on a second line.",
                    "",
                    "A hyphen-",
                    "ated word is joined."),
                List.of("Second page paragraph.")));
    ParsedDocument doc = parsers.parse(Files.write(dir.resolve("report.pdf"), bytes));
    assertThat(doc.title()).isEqualTo("Annual Report");
    assertThat(doc.metadata())
        .containsEntry("type", "pdf")
        .containsEntry("pages", "2")
        .containsEntry("author", "Grace Hopper");
    assertThat(doc.blocks())
        .containsExactly(
            Block.paragraph("Introduction"),
            Block.paragraph("The first paragraph starts here and continues on a second line."),
            Block.paragraph("A hyphenated word is joined."),
            Block.paragraph("Second page paragraph."));
  }

  @Test
  void firstLineIsTheTitleWhenThePdfHasNoTitle() throws IOException {
    byte[] bytes = pdf(null, null, null, List.of(List.of("Short First Line", "", "Body text.")));
    assertThat(parsers.parse("untitled.pdf", bytes).title()).isEqualTo("Short First Line");
  }

  @Test
  void pdfWithoutTextIsEmptyWithAnOcrHint() throws IOException {
    byte[] bytes = pdf(null, null, null, List.of(List.of()));
    assertFails(() -> parsers.parse("scan.pdf", bytes), Reason.EMPTY, "OCR");
  }

  @Test
  void garbageNamedPdfIsCorrupt() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("fake.pdf"), "this is not a pdf at all", StandardCharsets.UTF_8);
    assertFails(() -> parsers.parse(file), Reason.CORRUPT, "not a readable PDF");
  }

  @Test
  void truncatedPdfIsCorruptOrRecoveredButNeverACrash() throws IOException {
    byte[] whole = pdf("T", null, null, List.of(List.of("Some text on the page.")));
    for (int cut : new int[] {10, whole.length / 3, whole.length / 2}) {
      byte[] truncated = Arrays.copyOf(whole, cut);
      try {
        ParsedDocument doc = parsers.parse("cut.pdf", truncated);
        assertThat(doc.blocks()).isNotEmpty(); // PDFBox may repair it; then it has text
      } catch (DocumentException e) {
        assertThat(e.reason()).isIn(Reason.CORRUPT, Reason.EMPTY);
      }
    }
  }

  @Test
  void pdfNeedingAPasswordIsEncrypted() throws IOException {
    byte[] bytes = pdf("Secret", "owner-pw", "user-pw", List.of(List.of("Hidden text.")));
    assertFails(() -> parsers.parse("locked.pdf", bytes), Reason.ENCRYPTED, "password-protected");
  }

  @Test
  void pdfWithOnlyAnOwnerPasswordIsRead() throws IOException {
    byte[] bytes = pdf("Restricted", "owner-pw", "", List.of(List.of("Readable text.")));
    assertThat(parsers.parse("restricted.pdf", bytes).plainText()).isEqualTo("Readable text.");
  }

  @Test
  void placeholderTitlesFromAuthoringToolsAreCleaned() {
    assertThat(PdfParser.cleanTitle("Microsoft Word - Quarterly Plan.docx"))
        .isEqualTo("Quarterly Plan");
    assertThat(PdfParser.cleanTitle("Untitled")).isEmpty();
    assertThat(PdfParser.cleanTitle("A Real Title")).isEqualTo("A Real Title");
  }
}
