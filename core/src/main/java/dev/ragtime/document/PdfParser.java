package dev.ragtime.document;

import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDDocumentInformation;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;
import org.apache.pdfbox.text.PDFTextStripper;

/**
 * PDF to blocks with Apache PDFBox.
 *
 * <p>Text is extracted page by page in one pass; PDFBox's paragraph detection (vertical gaps and
 * indentation) marks paragraph ends with a blank line, and each paragraph's visual lines are joined
 * with spaces. A line ending in a letter and a hyphen followed by a line starting with a lower-case
 * letter is taken as a word hyphenated at the line break and joined without the hyphen. Paragraphs
 * never span pages. PDFs carry no reliable heading structure, so there are no heading blocks.
 *
 * <p>The title is the document information title, else the first line of text if it is short (at
 * most {@value #MAX_FIRST_LINE_TITLE} characters), else empty (the caller falls back to the file
 * name). Metadata: {@code pages}, and {@code author} when present.
 *
 * <p>PDFs protected with an owner password only (no password needed to open) are read; PDFs that
 * need a user password fail with {@link DocumentException.Reason#ENCRYPTED}. Stateless.
 */
final class PdfParser {
  static final int MAX_FIRST_LINE_TITLE = 120;

  private static final Pattern OFFICE_TITLE =
      Pattern.compile(
          "Microsoft (?:Word|PowerPoint|Excel) - (.+?)(?:\\.(?:docx?|pptx?|xlsx?|rtf))?",
          Pattern.CASE_INSENSITIVE);

  private PdfParser() {}

  static ParsedDocument parse(byte[] bytes, String source) {
    try (PDDocument pdf = Loader.loadPDF(bytes)) {
      List<String> pages = extractPages(pdf);
      List<Block> blocks = new ArrayList<>();
      for (String page : pages) {
        for (List<String> lines : Text.paragraphs(page)) {
          String text = Text.normalizeLines(unwrap(lines));
          if (!Text.isBlank(text)) {
            blocks.add(Block.paragraph(text));
          }
        }
      }
      Map<String, String> metadata = new HashMap<>();
      metadata.put("pages", Integer.toString(pdf.getNumberOfPages()));
      PDDocumentInformation info = pdf.getDocumentInformation();
      String title = info.getTitle() == null ? "" : cleanTitle(oneLine(info.getTitle()));
      if (info.getAuthor() != null && !Text.isBlank(info.getAuthor())) {
        metadata.put("author", oneLine(info.getAuthor()));
      }
      if (title.isEmpty()) {
        title = firstLine(pages);
      }
      return new ParsedDocument(title, blocks, metadata);
    } catch (InvalidPasswordException e) {
      throw new DocumentException(
          DocumentException.Reason.ENCRYPTED,
          source,
          "the PDF is password-protected; remove the password (for example with"
              + " 'qpdf --decrypt --password=... in.pdf out.pdf') and ingest the copy",
          e);
    } catch (IOException e) {
      throw new DocumentException(
          DocumentException.Reason.CORRUPT,
          source,
          "not a readable PDF ("
              + e.getMessage()
              + "); check that the file is complete, or re-export it as PDF",
          e);
    }
  }

  private static List<String> extractPages(PDDocument pdf) throws IOException {
    var stripper = new PageCollector();
    stripper.setParagraphStart("");
    stripper.setParagraphEnd("\n");
    stripper.setLineSeparator("\n");
    stripper.setPageEnd("");
    stripper.writeText(pdf, stripper.buffer);
    return stripper.pages;
  }

  /** Collects the text of each page separately in one extraction pass. Single use. */
  private static final class PageCollector extends PDFTextStripper {
    final StringWriter buffer = new StringWriter();
    final List<String> pages = new ArrayList<>();

    @Override
    protected void endPage(PDPage page) throws IOException {
      super.endPage(page);
      pages.add(buffer.toString());
      buffer.getBuffer().setLength(0);
    }
  }

  private static String unwrap(List<String> lines) {
    var sb = new StringBuilder();
    for (String raw : lines) {
      String line = raw.strip();
      if (line.isEmpty()) {
        continue;
      }
      int len = sb.length();
      if (len >= 2
          && sb.charAt(len - 1) == '-'
          && Character.isLetter(sb.charAt(len - 2))
          && Character.isLowerCase(line.codePointAt(0))) {
        sb.setLength(len - 1);
      } else if (len > 0) {
        sb.append(' ');
      }
      sb.append(line);
    }
    return sb.toString();
  }

  /**
   * Drops placeholder titles that authoring tools write ("Untitled", "Microsoft Word - x.docx"
   * becomes "x").
   */
  static String cleanTitle(String title) {
    Matcher office = OFFICE_TITLE.matcher(title);
    if (office.matches()) {
      title = office.group(1).strip();
    }
    return title.equalsIgnoreCase("untitled") ? "" : title;
  }

  private static String firstLine(List<String> pages) {
    for (String page : pages) {
      for (String line : page.split("\n")) {
        String s = oneLine(line);
        if (!s.isEmpty()) {
          return s.length() <= MAX_FIRST_LINE_TITLE ? s : "";
        }
      }
    }
    return "";
  }

  private static String oneLine(String s) {
    return Text.normalizeLines(s).replace('\n', ' ');
  }
}
