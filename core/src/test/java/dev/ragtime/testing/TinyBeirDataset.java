package dev.ragtime.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a small BEIR-format dataset for tests: {@value #DOCUMENTS} documents, each about one
 * invented topic word, and {@value #QUERIES} queries ({@code q0}..), query {@code qi} asking about
 * the topic of document {@code di}. Judgments: in split {@code test}, {@code qi} judges {@code di}
 * relevant with grade 2 and, for even {@code i}, document {@code d(i+1)} with grade 1 (its text
 * mentions topic i once); one extra query {@code qz} has only a grade-0 judgment, so it must not be
 * evaluated. Split {@code train} judges the same, without {@code qz}. The qrels files have a header
 * line and CRLF line ends, as BEIR's do. Documents whose index is a multiple of 4 have several
 * paragraphs, so chunking with a small budget splits them.
 */
public final class TinyBeirDataset {
  public static final int DOCUMENTS = 24;
  public static final int QUERIES = 12;

  private static final List<String> TOPICS =
      List.of(
          "zorblat",
          "quintex",
          "mardova",
          "pelluric",
          "travine",
          "oskelin",
          "brumfeld",
          "cadrize",
          "vintrel",
          "lumoxa",
          "fendrik",
          "glaviro",
          "hespern",
          "ixtobal",
          "jundrel",
          "kevoria",
          "lathmir",
          "mostrel",
          "nuvaxi",
          "orpheld",
          "prunix",
          "quorvel",
          "rastine",
          "sulvane");

  private TinyBeirDataset() {}

  /** Writes the dataset into {@code dir} (created if needed) and returns {@code dir}. */
  public static Path write(Path dir) {
    try {
      Files.createDirectories(dir.resolve("qrels"));
      StringBuilder corpus = new StringBuilder();
      for (int i = 0; i < DOCUMENTS; i++) {
        String topic = TOPICS.get(i);
        String text =
            "The "
                + topic
                + " is studied here in detail. Researchers measured the "
                + topic
                + " response in many trials.";
        if (i > 0 && i % 2 == 1 && i - 1 < QUERIES) {
          text += " It is related to " + TOPICS.get(i - 1) + ".";
        }
        if (i % 4 == 0) {
          text +=
              "\\nA second paragraph discusses methods and cohorts at length, with ordinary words"
                  + " about sampling, follow up and statistics.\\nA third paragraph concludes that"
                  + " the "
                  + topic
                  + " effect was robust across every cohort.";
        }
        corpus
            .append("{\"_id\": \"d")
            .append(i)
            .append("\", \"title\": \"On ")
            .append(topic)
            .append("\", \"text\": \"")
            .append(text)
            .append("\"}\n");
      }
      StringBuilder queries = new StringBuilder();
      StringBuilder test = new StringBuilder("query-id\tcorpus-id\tscore\r\n");
      StringBuilder train = new StringBuilder("query-id\tcorpus-id\tscore\r\n");
      for (int i = 0; i < QUERIES; i++) {
        queries
            .append("{\"_id\": \"q")
            .append(i)
            .append("\", \"text\": \"what is known about ")
            .append(TOPICS.get(i))
            .append(" response?\"}\n");
        String lines = "q" + i + "\td" + i + "\t2\r\n";
        if (i % 2 == 0) {
          lines += "q" + i + "\td" + (i + 1) + "\t1\r\n";
        }
        test.append(lines);
        train.append(lines);
      }
      queries.append("{\"_id\": \"qz\", \"text\": \"an unanswerable question\"}\n");
      test.append("qz\td5\t0\r\n");
      Files.writeString(dir.resolve("corpus.jsonl"), corpus, StandardCharsets.UTF_8);
      Files.writeString(dir.resolve("queries.jsonl"), queries, StandardCharsets.UTF_8);
      Files.writeString(dir.resolve("qrels/test.tsv"), test, StandardCharsets.UTF_8);
      Files.writeString(dir.resolve("qrels/train.tsv"), train, StandardCharsets.UTF_8);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
