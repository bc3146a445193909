package dev.ragtime.document;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The file formats {@link DocumentParsers} reads, with the file extensions that select them. */
public enum DocumentType {
  /** Plain text: paragraphs are separated by blank lines. */
  TXT("txt", List.of(".txt")),
  /** Markdown (CommonMark). */
  MARKDOWN("md", List.of(".md", ".markdown")),
  /** HTML. */
  HTML("html", List.of(".html", ".htm")),
  /** PDF with a text layer. */
  PDF("pdf", List.of(".pdf"));

  private final String id;
  private final List<String> extensions;

  DocumentType(String id, List<String> extensions) {
    this.id = id;
    this.extensions = extensions;
  }

  /** Short name stored as the {@code type} metadata of parsed documents: txt, md, html or pdf. */
  public String id() {
    return id;
  }

  /** Lower-case extensions with the leading dot, for example {@code [".html", ".htm"]}. */
  public List<String> extensions() {
    return extensions;
  }

  /** The type selected by a file name's extension (case-insensitive), if it is supported. */
  public static Optional<DocumentType> ofFileName(String fileName) {
    String ext = extension(fileName);
    for (DocumentType type : values()) {
      if (type.extensions.contains(ext)) {
        return Optional.of(type);
      }
    }
    return Optional.empty();
  }

  /** The type selected by a path's file name, if it is supported. */
  public static Optional<DocumentType> of(Path file) {
    Path name = file.getFileName();
    return name == null ? Optional.empty() : ofFileName(name.toString());
  }

  /** Every supported extension, space-separated, for messages: ".txt .md .markdown ...". */
  static String supportedList() {
    var sb = new StringBuilder();
    for (DocumentType type : values()) {
      for (String ext : type.extensions) {
        if (!sb.isEmpty()) {
          sb.append(' ');
        }
        sb.append(ext);
      }
    }
    return sb.toString();
  }

  /** The lower-case extension of a file name including the dot, or "" if it has none. */
  static String extension(String fileName) {
    int slash = Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\'));
    String name = fileName.substring(slash + 1);
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot).toLowerCase(Locale.ROOT);
  }

  /** A file name without its directory and extension, used as the fallback title. */
  static String baseName(String fileName) {
    int slash = Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\'));
    String name = fileName.substring(slash + 1);
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }
}
