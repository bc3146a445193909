package dev.ragtime.document;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ragtime.document.DocumentException.Reason;
import dev.ragtime.document.JsonlCorpus.MalformedLine;
import dev.ragtime.document.JsonlCorpus.OnMalformed;
import dev.ragtime.testing.SharedData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlCorpusTest {
  @TempDir Path dir;

  static final String GOOD =
      """
      {"_id": "d1", "title": "First", "text": "Para one.\\nPara two."}
      {"id": 42, "title": "Numeric id", "text": "Body."}
      {"_id": "d3", "text": "No title."}
      """;

  Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
  }

  static byte[] gzip(String content) throws IOException {
    var bytes = new ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(bytes)) {
      out.write(content.getBytes(StandardCharsets.UTF_8));
    }
    return bytes.toByteArray();
  }

  static List<CorpusRecord> readAll(Path file) {
    try (JsonlCorpus corpus = JsonlCorpus.open(file);
        Stream<CorpusRecord> records = corpus.stream()) {
      return records.toList();
    }
  }

  @Test
  void readsBeirRecordsWithEitherIdField() throws IOException {
    assertThat(readAll(write("corpus.jsonl", GOOD)))
        .containsExactly(
            new CorpusRecord("d1", "First", "Para one.\nPara two."),
            new CorpusRecord("42", "Numeric id", "Body."),
            new CorpusRecord("d3", "", "No title."));
  }

  @Test
  void gzipIsRecognisedByItsContentWhateverTheName() throws IOException {
    byte[] gz = gzip(GOOD);
    assertThat(readAll(Files.write(dir.resolve("corpus.jsonl.gz"), gz))).hasSize(3);
    assertThat(readAll(Files.write(dir.resolve("misnamed.jsonl"), gz))).hasSize(3);
  }

  @Test
  void malformedLinesAreSkippedAndReportedWithTheirLineNumbers() throws IOException {
    Path file =
        write(
            "mixed.jsonl",
            """
            {"_id": "a", "text": "ok"}
            {"_id": "b", "text": "unterminated
            [1, 2, 3]

            {"title": "no id"}
            {"_id": "c", "text": 7}
            {"_id": "d", "text": "x"} trailing
            {"_id": "  ", "text": "blank id"}
            {"_id": "e", "text": "ok too"}
            """);
    try (JsonlCorpus corpus = JsonlCorpus.open(file)) {
      assertThat(corpus.stream().map(CorpusRecord::id)).containsExactly("a", "e");
      assertThat(corpus.recordCount()).isEqualTo(2);
      assertThat(corpus.malformedCount()).isEqualTo(6);
      assertThat(corpus.malformed())
          .extracting(MalformedLine::lineNumber)
          .containsExactly(2L, 3L, 5L, 6L, 7L, 8L);
      assertThat(corpus.malformed().get(0).problem()).startsWith("not valid JSON");
      assertThat(corpus.malformed().get(1).problem()).isEqualTo("not a JSON object");
      assertThat(corpus.malformed().get(2).problem()).contains("no \"_id\" or \"id\"");
      assertThat(corpus.malformed().get(3).problem()).contains("\"text\" is a NUMBER");
      assertThat(corpus.malformed().get(4).problem()).startsWith("not valid JSON");
      assertThat(corpus.malformed().get(5).problem()).isEqualTo("the id is blank");
    }
  }

  @Test
  void failPolicyStopsAtTheFirstMalformedLineNamingIt() throws IOException {
    Path file =
        write("strict.jsonl", "{\"_id\":\"a\"}\n{\"_id\":\"b\"}\nnot json\n{\"_id\":\"c\"}\n");
    try (JsonlCorpus corpus = JsonlCorpus.open(file, OnMalformed.FAIL)) {
      Stream<CorpusRecord> records = corpus.stream();
      assertThatThrownBy(records::toList)
          .isInstanceOfSatisfying(
              DocumentException.class,
              e -> {
                assertThat(e.reason()).isEqualTo(Reason.CORRUPT);
                assertThat(e.source()).isEqualTo(file + ":3");
              })
          .hasMessageContaining("malformed record");
    }
  }

  @Test
  void recordsAreReadLazilyOneAtATime() throws IOException {
    Path file = write("lazy.jsonl", "{\"_id\":\"a\"}\n{\"_id\":\"b\"}\nbroken\n");
    try (JsonlCorpus corpus = JsonlCorpus.open(file, OnMalformed.FAIL)) {
      // The broken third line is never read when only two records are asked for.
      assertThat(corpus.stream().limit(2).map(CorpusRecord::id)).containsExactly("a", "b");
    }
  }

  @Test
  void streamCanBeTakenOnlyOnceAndClosingItClosesTheCorpus() throws IOException {
    Path file = write("once.jsonl", GOOD);
    JsonlCorpus corpus = JsonlCorpus.open(file);
    Stream<CorpusRecord> records = corpus.stream();
    assertThatThrownBy(corpus::stream).isInstanceOf(IllegalStateException.class);
    records.close();
    assertThatThrownBy(() -> records.iterator().next()).isInstanceOf(IllegalStateException.class);
    corpus.close(); // idempotent
  }

  @Test
  void truncatedGzipIsCorrupt() throws IOException {
    byte[] gz = gzip(GOOD.repeat(50));
    Path file = Files.write(dir.resolve("cut.jsonl.gz"), Arrays.copyOf(gz, gz.length / 2));
    assertThatThrownBy(() -> readAll(file))
        .isInstanceOfSatisfying(
            DocumentException.class, e -> assertThat(e.reason()).isEqualTo(Reason.CORRUPT))
        .hasMessageContaining("damaged or truncated");
  }

  @Test
  void missingFileIsUnreadable() {
    assertThatThrownBy(() -> JsonlCorpus.open(dir.resolve("missing.jsonl")))
        .isInstanceOfSatisfying(
            DocumentException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNREADABLE));
  }

  @Test
  void recordBecomesADocumentWithOneParagraphPerLine() {
    ParsedDocument doc =
        new CorpusRecord("x", "  A  title ", "First line.\n\n  Second   line.\r\nThird.")
            .toDocument();
    assertThat(doc.title()).isEqualTo("A title");
    assertThat(doc.blocks())
        .containsExactly(
            Block.paragraph("First line."),
            Block.paragraph("Second line."),
            Block.paragraph("Third."));
    assertThat(doc.metadata()).containsEntry("type", "jsonl");
    assertThat(new CorpusRecord("y", "Title only", " \n ").toDocument().isEmpty()).isTrue();
  }

  @Test
  void recordIdMustNotBeBlank() {
    assertThatThrownBy(() -> new CorpusRecord(" ", "", ""))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // --- the shared data sets (skipped when absent) ---

  @Test
  void readsTheWholeGzippedWikipediaSlice() {
    Path file = SharedData.file("wiki/enwiki-slice.jsonl.gz");
    var paragraphs = new AtomicLong();
    try (JsonlCorpus corpus = JsonlCorpus.open(file);
        Stream<CorpusRecord> records = corpus.stream()) {
      records.forEach(r -> paragraphs.addAndGet(r.toDocument().blocks().size()));
      assertThat(corpus.recordCount()).isEqualTo(28_376);
      assertThat(corpus.malformedCount()).isZero();
    }
    assertThat(paragraphs.get()).isGreaterThan(100_000);
  }

  @Test
  void readsTheWholeSciFactCorpus() {
    Path file = SharedData.file("beir/scifact/corpus.jsonl");
    try (JsonlCorpus corpus = JsonlCorpus.open(file);
        Stream<CorpusRecord> records = corpus.stream()) {
      assertThat(records.filter(r -> !r.title().isEmpty()).count()).isEqualTo(5_183);
      assertThat(corpus.malformedCount()).isZero();
    }
  }
}
