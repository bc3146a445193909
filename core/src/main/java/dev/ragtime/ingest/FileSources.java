package dev.ragtime.ingest;

import dev.ragtime.document.ContentHash;
import dev.ragtime.document.DocumentException;
import dev.ragtime.document.DocumentParsers;
import dev.ragtime.document.ParsedDocument;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the documents under files and directories given on the command line. Directories are walked
 * recursively in a stable (sorted) order; hidden files and directories (name starting with '.') are
 * left out; symbolic links to directories are not followed. A document's id is its path relative to
 * the root it was found under, with '/' separators; a file given directly has its file name as id.
 */
public final class FileSources {
  private FileSources() {}

  /**
   * Walks {@code roots}.
   *
   * @param parsers the parsers that decide which files are supported and read them
   */
  public static SourceScan scan(List<Path> roots, DocumentParsers parsers) {
    var docs = new ArrayList<SourceDocument>();
    var failures = new ArrayList<IngestReport.Failure>();
    var skipped = new ArrayList<IngestReport.Failure>();
    for (Path given : roots) {
      Path root = given.toAbsolutePath().normalize();
      if (!Files.exists(root)) {
        failures.add(
            new IngestReport.Failure(given.toString(), "no such file or directory: " + given));
        continue;
      }
      if (Files.isRegularFile(root)) {
        consider(root, root.getParent(), parsers, docs, skipped);
        continue;
      }
      try {
        Files.walkFileTree(
            root,
            new SimpleFileVisitor<>() {
              @Override
              public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (!dir.equals(root) && hidden(dir)) {
                  return FileVisitResult.SKIP_SUBTREE;
                }
                return FileVisitResult.CONTINUE;
              }

              @Override
              public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile() && !hidden(file)) {
                  consider(file, root, parsers, docs, skipped);
                }
                return FileVisitResult.CONTINUE;
              }

              @Override
              public FileVisitResult visitFileFailed(Path file, IOException e) {
                failures.add(new IngestReport.Failure(file.toString(), ioReason(file, e)));
                return FileVisitResult.CONTINUE;
              }
            });
      } catch (IOException e) {
        failures.add(new IngestReport.Failure(given.toString(), ioReason(given, e)));
      }
    }
    docs.sort(java.util.Comparator.comparing(SourceDocument::path));
    return new SourceScan(docs, failures, skipped);
  }

  private static boolean hidden(Path p) {
    Path name = p.getFileName();
    return name != null && name.toString().startsWith(".");
  }

  private static void consider(
      Path file,
      Path root,
      DocumentParsers parsers,
      List<SourceDocument> docs,
      List<IngestReport.Failure> skipped) {
    if (!DocumentParsers.supports(file)) {
      skipped.add(new IngestReport.Failure(file.toString(), unsupportedReason(file)));
      return;
    }
    String id = root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
    docs.add(new FileDocument(file, id, parsers));
  }

  static String unsupportedReason(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String ext = dot < 0 ? "(no extension)" : "'" + name.substring(dot) + "'";
    return "unsupported file type "
        + ext
        + "; Ragtime reads .txt .md .markdown .html .htm .pdf (JSONL corpora when named directly)";
  }

  /** The message without the path in front: reports show the path beside the reason already. */
  static String detail(DocumentException e) {
    String m = Ingestor.describe(e);
    String prefix = e.source() + ": ";
    return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
  }

  static String ioReason(Path p, IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied reading " + p + "; check the file's permissions";
    }
    if (e instanceof NoSuchFileException) {
      return "vanished while reading: " + p;
    }
    return "cannot read " + p + ": " + Ingestor.describe(e);
  }

  /** A file on disk. */
  private record FileDocument(Path file, String id, DocumentParsers parsers)
      implements SourceDocument {
    @Override
    public String path() {
      return file.toString();
    }

    @Override
    public String contentHash(String fingerprint) {
      try {
        return ContentHash.fingerprint(ContentHash.sha256(file), fingerprint);
      } catch (DocumentException e) {
        throw new SourceException(detail(e), e);
      }
    }

    @Override
    public ParsedDocument parse() {
      try {
        return parsers.parse(file);
      } catch (DocumentException e) {
        throw new SourceException(detail(e), e);
      }
    }
  }
}
