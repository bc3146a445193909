package dev.ragtime.document;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Turns files into {@link ParsedDocument}s, choosing the parser by file extension:
 *
 * <ul>
 *   <li>{@code .txt}: paragraphs at blank lines, line breaks inside a paragraph kept;
 *   <li>{@code .md}, {@code .markdown}: CommonMark; headings with levels, paragraphs, list items,
 *       code blocks; emphasis and link syntax reduced to text; front matter title honoured;
 *   <li>{@code .html}, {@code .htm}: headings h1–h6, paragraphs, list items, table rows, {@code
 *       <pre>}; scripts, styles, navigation and other page chrome dropped;
 *   <li>{@code .pdf}: text per page, paragraphs by PDFBox's layout analysis, lines unwrapped.
 * </ul>
 *
 * <p>Every document gets metadata {@code type} (txt, md, html or pdf, see {@link
 * DocumentType#id()}) and {@code filename}; text formats add {@code charset}; PDF adds {@code
 * pages} and, like HTML, {@code author} when known; HTML adds {@code lang} when declared. The title
 * comes from the format (front matter or first level-1 heading, {@code <title>} or first h1, PDF
 * info or first short line) and falls back to the file name without its extension.
 *
 * <p>Text decoding for .txt and .md: a byte-order mark wins; a NUL byte means binary; valid UTF-8
 * is UTF-8; invalid UTF-8 is repaired with U+FFFD when it is mostly valid multi-byte UTF-8, else
 * read as windows-1252; more than 1% control characters after decoding means binary. HTML is
 * checked for NUL bytes and decoded by jsoup (BOM, {@code <meta charset>}, else UTF-8).
 *
 * <p>Every failure is a {@link DocumentException} whose {@link DocumentException.Reason} tells what
 * went wrong: unsupported extension, unreadable file, file over the size limit, binary content,
 * corrupt or encrypted PDF, or no text at all. A parser library failing unexpectedly on hostile
 * input is reported as {@code CORRUPT}; no other exception escapes {@code parse} for bad input.
 *
 * <p>Immutable and thread-safe; create one and share it.
 */
public final class DocumentParsers {
  /** Default upper bound on the size of a file to parse: 50 MiB. */
  public static final long DEFAULT_MAX_FILE_BYTES = 50L * 1024 * 1024;

  private final long maxFileBytes;
  private final MarkdownParser markdown = new MarkdownParser();

  private DocumentParsers(long maxFileBytes) {
    if (maxFileBytes < 1 || maxFileBytes > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException(
          "maxFileBytes must be in [1, " + (Integer.MAX_VALUE - 16) + "], was " + maxFileBytes);
    }
    this.maxFileBytes = maxFileBytes;
  }

  /** Parsers with the default size limit ({@link #DEFAULT_MAX_FILE_BYTES}). */
  public static DocumentParsers create() {
    return new DocumentParsers(DEFAULT_MAX_FILE_BYTES);
  }

  /**
   * Parsers that refuse files larger than {@code maxFileBytes}.
   *
   * @param maxFileBytes the limit in bytes, at least 1 and below 2 GiB (files are parsed in memory)
   */
  public static DocumentParsers create(long maxFileBytes) {
    return new DocumentParsers(maxFileBytes);
  }

  /** The size limit in bytes. */
  public long maxFileBytes() {
    return maxFileBytes;
  }

  /** True if the file's extension (case-insensitive) is one we parse. Does not touch the file. */
  public static boolean supports(Path file) {
    return DocumentType.of(file).isPresent();
  }

  /**
   * Reads and parses one file.
   *
   * @param file the file; its extension selects the parser
   * @return the document, with at least one block
   * @throws DocumentException for every kind of bad file (see the class comment)
   */
  public ParsedDocument parse(Path file) {
    String source = file.toString();
    Path name = file.getFileName();
    String fileName = name == null ? source : name.toString();
    DocumentType type = typeOf(fileName, source);
    byte[] bytes = read(file, source);
    return parse(type, fileName, bytes, source);
  }

  /**
   * Parses content already in memory, for example an HTTP upload. Pure: no I/O.
   *
   * @param fileName the file name; its extension selects the parser, and it is the fallback title
   * @param content the file content; not modified
   * @return the document, with at least one block
   * @throws DocumentException for every kind of bad content (see the class comment)
   */
  public ParsedDocument parse(String fileName, byte[] content) {
    DocumentType type = typeOf(fileName, fileName);
    if (content.length > maxFileBytes) {
      throw tooLarge(fileName, content.length);
    }
    return parse(type, fileName, content, fileName);
  }

  private ParsedDocument parse(DocumentType type, String fileName, byte[] bytes, String source) {
    ParsedDocument raw;
    try {
      raw =
          switch (type) {
            case TXT -> PlainTextParser.parse(bytes, source);
            case MARKDOWN -> markdown.parse(bytes, source);
            case HTML -> HtmlParser.parse(bytes, source);
            case PDF -> PdfParser.parse(bytes, source);
          };
    } catch (DocumentException e) {
      throw e;
    } catch (RuntimeException | StackOverflowError e) {
      // A parser library choking on hostile or broken input must not take the caller down.
      throw new DocumentException(
          DocumentException.Reason.CORRUPT,
          source,
          "could not be parsed as "
              + type.id()
              + " ("
              + e
              + "); check that the file is valid, or convert it to plain text",
          e);
    }
    if (raw.isEmpty()) {
      throw new DocumentException(
          DocumentException.Reason.EMPTY,
          source,
          type == DocumentType.PDF
              ? "no text found in the PDF; if it is a scanned image, run OCR on it first (for"
                  + " example ocrmypdf) and ingest the result"
              : "no text found; the file is empty or holds only markup");
    }
    Map<String, String> metadata = new HashMap<>(raw.metadata());
    metadata.put("type", type.id());
    metadata.put("filename", fileName);
    String title = raw.title().isBlank() ? DocumentType.baseName(fileName) : raw.title();
    return new ParsedDocument(title, raw.blocks(), metadata);
  }

  private static DocumentType typeOf(String fileName, String source) {
    Optional<DocumentType> type = DocumentType.ofFileName(fileName);
    if (type.isEmpty()) {
      String ext = DocumentType.extension(fileName);
      throw new DocumentException(
          DocumentException.Reason.UNSUPPORTED,
          source,
          (ext.isEmpty()
                  ? "unsupported file type (no extension)"
                  : "unsupported file type '" + ext + "'")
              + "; supported: "
              + DocumentType.supportedList());
    }
    return type.get();
  }

  private byte[] read(Path file, String source) {
    try {
      if (Files.isDirectory(file)) {
        throw new DocumentException(
            DocumentException.Reason.UNREADABLE,
            source,
            "is a directory, not a file; ingest the files inside it instead");
      }
      long size = Files.size(file);
      if (size > maxFileBytes) {
        throw tooLarge(source, size);
      }
      try (InputStream in = Files.newInputStream(file)) {
        // Read one byte more than allowed so a file that grew since size() is still caught.
        byte[] bytes = in.readNBytes((int) maxFileBytes + 1);
        if (bytes.length > maxFileBytes) {
          throw tooLarge(source, bytes.length);
        }
        return bytes;
      }
    } catch (NoSuchFileException e) {
      throw new DocumentException(
          DocumentException.Reason.UNREADABLE, source, "no such file; check the path", e);
    } catch (AccessDeniedException e) {
      throw new DocumentException(
          DocumentException.Reason.UNREADABLE,
          source,
          "permission denied; make the file readable by the user running Ragtime",
          e);
    } catch (IOException e) {
      throw new DocumentException(
          DocumentException.Reason.UNREADABLE,
          source,
          "could not be read (" + e + "); check the file and the disk, then try again",
          e);
    }
  }

  private DocumentException tooLarge(String source, long size) {
    return new DocumentException(
        DocumentException.Reason.TOO_LARGE,
        source,
        "is "
            + size
            + " bytes, over the limit of "
            + maxFileBytes
            + " bytes; split it into smaller files or raise the limit");
  }
}
