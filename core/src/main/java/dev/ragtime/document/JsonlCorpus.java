package dev.ragtime.document;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streaming reader of a bulk corpus in JSON lines, BEIR style: one object per line with an id
 * ({@code "_id"}, or {@code "id"} if there is no {@code "_id"}; a string or an integer), an
 * optional {@code "title"} and an optional {@code "text"} (strings; missing or null means empty).
 * Other fields are ignored. Plain {@code .jsonl} and gzip-compressed files are both read; gzip is
 * recognised by its magic bytes, whatever the file is called.
 *
 * <p>Records are read one at a time, so memory use does not depend on the file size. Blank lines
 * are skipped silently. A malformed line (not JSON, not an object, trailing garbage, no id, or a
 * title/text that is not a string) is handled by the {@link OnMalformed} policy: {@link
 * OnMalformed#SKIP} (the default) skips it, logs a warning for the first few, and records it so the
 * caller can report it afterwards ({@link #malformedCount()}, {@link #malformed()}); {@link
 * OnMalformed#FAIL} throws a {@link DocumentException} with reason {@code CORRUPT} whose source is
 * "file:line". I/O errors while reading throw {@code DocumentException} with reason {@code
 * UNREADABLE} ({@code CORRUPT} for a truncated or damaged gzip stream).
 *
 * {@snippet :
 * try (JsonlCorpus corpus = JsonlCorpus.open(path)) {
 *   corpus.stream().forEach(record -> ingest(record.toDocument()));
 *   if (corpus.malformedCount() > 0) {
 *     log.warn("skipped {} malformed lines, first: {}", corpus.malformedCount(), corpus.malformed());
 *   }
 * }
 * }
 *
 * <p>Not thread-safe: one consumer reads the stream, which can be obtained once. Must be closed
 * (closing the stream closes the corpus too).
 */
public final class JsonlCorpus implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JsonlCorpus.class);

  /** How many malformed lines are kept for {@link #malformed()}; all are counted. */
  public static final int MAX_MALFORMED_KEPT = 100;

  private static final int WARN_LIMIT = 10;
  private static final ObjectReader READER =
      new ObjectMapper().reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** What to do with a line that is not a valid record. */
  public enum OnMalformed {
    /** Skip the line, record it in {@link #malformed()}, and go on. */
    SKIP,
    /** Stop reading: throw a {@link DocumentException} with reason {@code CORRUPT}. */
    FAIL
  }

  /**
   * A line that was skipped.
   *
   * @param lineNumber 1-based line number in the (decompressed) file
   * @param problem what was wrong with it
   */
  public record MalformedLine(long lineNumber, String problem) {}

  private final Path file;
  private final BufferedReader reader;
  private final OnMalformed onMalformed;
  private final List<MalformedLine> malformed = new ArrayList<>();
  private long malformedCount;
  private long lineNumber;
  private long records;
  private boolean streamed;

  private JsonlCorpus(Path file, BufferedReader reader, OnMalformed onMalformed) {
    this.file = file;
    this.reader = reader;
    this.onMalformed = onMalformed;
  }

  /** Opens a corpus file that skips malformed lines ({@link OnMalformed#SKIP}). */
  public static JsonlCorpus open(Path file) {
    return open(file, OnMalformed.SKIP);
  }

  /**
   * Opens a corpus file.
   *
   * @throws DocumentException with reason UNREADABLE if the file cannot be opened
   */
  public static JsonlCorpus open(Path file, OnMalformed onMalformed) {
    Objects.requireNonNull(onMalformed, "onMalformed");
    InputStream in = null;
    try {
      in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
      in.mark(2);
      int b1 = in.read();
      int b2 = in.read();
      in.reset();
      if (b1 == 0x1f && b2 == 0x8b) {
        in = new GZIPInputStream(in, 1 << 16);
      }
      var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
      return new JsonlCorpus(file, reader, onMalformed);
    } catch (IOException e) {
      if (in != null) {
        try {
          in.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw ioFailure(file.toString(), e);
    }
  }

  /**
   * Counts the non-blank lines of a corpus file (gzipped or not) without parsing them: a cheap
   * first pass that gives progress displays a total. Malformed lines are counted too.
   *
   * @throws DocumentException with reason UNREADABLE if the file cannot be read
   */
  public static long countLines(Path file) {
    try (JsonlCorpus corpus = open(file)) {
      long n = 0;
      String line;
      while ((line = corpus.reader.readLine()) != null) {
        if (!line.isBlank()) {
          n++;
        }
      }
      return n;
    } catch (IOException e) {
      throw ioFailure(file.toString(), e);
    }
  }

  /**
   * The records, in file order, read lazily. Closing the stream closes this corpus.
   *
   * @throws IllegalStateException if called a second time
   */
  public Stream<CorpusRecord> stream() {
    if (streamed) {
      throw new IllegalStateException("the records of " + file + " can be streamed only once");
    }
    streamed = true;
    Spliterator<CorpusRecord> spliterator =
        new Spliterators.AbstractSpliterator<>(
            Long.MAX_VALUE, Spliterator.ORDERED | Spliterator.NONNULL) {
          @Override
          public boolean tryAdvance(Consumer<? super CorpusRecord> action) {
            CorpusRecord next = next();
            if (next == null) {
              return false;
            }
            action.accept(next);
            return true;
          }
        };
    return StreamSupport.stream(spliterator, false).onClose(this::close);
  }

  /** The next valid record, or null at the end of the file. */
  private CorpusRecord next() {
    while (true) {
      String line;
      try {
        line = reader.readLine();
      } catch (IOException e) {
        throw ioFailure(file + ":" + (lineNumber + 1), e);
      }
      if (line == null) {
        return null;
      }
      lineNumber++;
      if (line.isBlank()) {
        continue;
      }
      String problem;
      try {
        JsonNode node = READER.readTree(line);
        problem = check(node);
        if (problem == null) {
          records++;
          return new CorpusRecord(idOf(node), textOf(node, "title"), textOf(node, "text"));
        }
      } catch (JsonProcessingException e) {
        problem = "not valid JSON: " + e.getOriginalMessage();
      }
      onMalformed(problem);
    }
  }

  private static String check(JsonNode node) {
    if (node == null || !node.isObject()) {
      return "not a JSON object";
    }
    JsonNode id = node.hasNonNull("_id") ? node.get("_id") : node.get("id");
    if (id == null || id.isNull()) {
      return "no \"_id\" or \"id\" field";
    }
    if (!(id.isTextual() || id.isIntegralNumber())) {
      return "the id is a " + id.getNodeType() + ", expected a string or an integer";
    }
    if (id.asText().isBlank()) {
      return "the id is blank";
    }
    for (String field : new String[] {"title", "text"}) {
      JsonNode value = node.get(field);
      if (value != null && !value.isNull() && !value.isTextual()) {
        return "\"" + field + "\" is a " + value.getNodeType() + ", expected a string";
      }
    }
    return null;
  }

  private static String idOf(JsonNode node) {
    return (node.hasNonNull("_id") ? node.get("_id") : node.get("id")).asText();
  }

  private static String textOf(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? "" : value.textValue();
  }

  private void onMalformed(String problem) {
    if (onMalformed == OnMalformed.FAIL) {
      throw new DocumentException(
          DocumentException.Reason.CORRUPT,
          file + ":" + lineNumber,
          "malformed record: " + problem + "; fix or remove the line");
    }
    malformedCount++;
    if (malformed.size() < MAX_MALFORMED_KEPT) {
      malformed.add(new MalformedLine(lineNumber, problem));
    }
    if (malformedCount <= WARN_LIMIT) {
      LOG.warn(
          "{}:{}: skipping malformed record: {}{}",
          file,
          lineNumber,
          problem,
          malformedCount == WARN_LIMIT ? " (further malformed lines are counted, not logged)" : "");
    }
  }

  /** Number of valid records returned so far. */
  public long recordCount() {
    return records;
  }

  /** Number of malformed lines skipped so far (only with {@link OnMalformed#SKIP}). */
  public long malformedCount() {
    return malformedCount;
  }

  /** The first {@value #MAX_MALFORMED_KEPT} malformed lines skipped so far, in file order. */
  public List<MalformedLine> malformed() {
    return Collections.unmodifiableList(new ArrayList<>(malformed));
  }

  /** Closes the file. Idempotent. */
  @Override
  public void close() {
    try {
      reader.close();
    } catch (IOException e) {
      throw new UncheckedIOException("closing " + file, e);
    }
  }

  private static DocumentException ioFailure(String source, IOException e) {
    if (e instanceof NoSuchFileException) {
      return new DocumentException(
          DocumentException.Reason.UNREADABLE, source, "no such file; check the path", e);
    }
    if (e instanceof AccessDeniedException) {
      return new DocumentException(
          DocumentException.Reason.UNREADABLE,
          source,
          "permission denied; make the file readable by the user running Ragtime",
          e);
    }
    if (e instanceof ZipException || e instanceof EOFException) {
      return new DocumentException(
          DocumentException.Reason.CORRUPT,
          source,
          "the compressed data is damaged or truncated ("
              + e.getMessage()
              + "); fetch the file again",
          e);
    }
    return new DocumentException(
        DocumentException.Reason.UNREADABLE,
        source,
        "could not be read (" + e + "); check the file and the disk, then try again",
        e);
  }
}
