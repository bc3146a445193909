package dev.ragtime.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ragtime.document.DocumentException;
import dev.ragtime.testing.TinyBeirDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BeirDatasetTest {
  @TempDir Path tmp;

  @Test
  void loadsQueriesAndGradedJudgmentsOfOneSplitSkippingTheHeaderAndCarriageReturns() {
    Path dir = TinyBeirDataset.write(tmp.resolve("tiny"));
    BeirDataset test = BeirDataset.load(dir, "test");

    assertThat(test.name()).isEqualTo("tiny");
    assertThat(test.split()).isEqualTo("test");
    assertThat(test.corpusFile()).isEqualTo(dir.resolve("corpus.jsonl"));
    assertThat(test.queries()).hasSize(TinyBeirDataset.QUERIES);
    assertThat(test.queries()).containsEntry("q3", "what is known about pelluric response?");
    assertThat(test.judgments("q0")).isEqualTo(Map.of("d0", 2, "d1", 1));
    assertThat(test.judgments("q3")).isEqualTo(Map.of("d3", 2));
  }

  @Test
  void queriesWithoutARelevantDocumentAreNotEvaluated() {
    BeirDataset test = BeirDataset.load(TinyBeirDataset.write(tmp.resolve("tiny")), "test");

    assertThat(test.judgedQueries()).isEqualTo(TinyBeirDataset.QUERIES + 1);
    assertThat(test.queries()).doesNotContainKey("qz");
    assertThatThrownBy(() -> test.judgments("qz"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("qz");
  }

  @Test
  void queriesKeepTheOrderOfTheQueriesFile() {
    BeirDataset train = BeirDataset.load(TinyBeirDataset.write(tmp.resolve("tiny")), "train");
    assertThat(train.queries().keySet()).startsWith("q0", "q1", "q2", "q3");
  }

  @Test
  void aMissingSplitIsReportedWithTheSplitsThatExist() {
    Path dir = TinyBeirDataset.write(tmp.resolve("tiny"));
    assertThatThrownBy(() -> BeirDataset.load(dir, "dev"))
        .isInstanceOf(DocumentException.class)
        .hasMessageContaining("dev.tsv")
        .hasMessageContaining("test, train");
  }

  @Test
  void aFolderWithoutACorpusIsRejectedNamingTheFile() throws IOException {
    Path dir = TinyBeirDataset.write(tmp.resolve("tiny"));
    Files.delete(dir.resolve("corpus.jsonl"));
    assertThatThrownBy(() -> BeirDataset.load(dir, "test"))
        .isInstanceOf(DocumentException.class)
        .hasMessageContaining("corpus.jsonl");
    assertThatThrownBy(() -> BeirDataset.load(tmp.resolve("nothing"), "test"))
        .isInstanceOf(DocumentException.class)
        .hasMessageContaining("not a folder");
  }

  @Test
  void aMalformedJudgmentNamesFileAndLine() throws IOException {
    Path dir = TinyBeirDataset.write(tmp.resolve("tiny"));
    Files.writeString(
        dir.resolve("qrels/test.tsv"), "query-id\tcorpus-id\tscore\r\nq0\td0\tmaybe\r\n");
    assertThatThrownBy(() -> BeirDataset.load(dir, "test"))
        .isInstanceOf(DocumentException.class)
        .hasMessageContaining("test.tsv:2")
        .hasMessageContaining("maybe");
  }

  @Test
  void judgmentsOfAnUndefinedQueryAreRejected() throws IOException {
    Path dir = TinyBeirDataset.write(tmp.resolve("tiny"));
    Files.writeString(dir.resolve("qrels/test.tsv"), "q0\td0\t1\nghost\td1\t1\n");
    assertThatThrownBy(() -> BeirDataset.load(dir, "test"))
        .isInstanceOf(DocumentException.class)
        .hasMessageContaining("'ghost'");
  }

  @Test
  void trecFormatJudgmentsWithAnIterationColumnAreRead() throws IOException {
    Path dir = TinyBeirDataset.write(tmp.resolve("tiny"));
    Files.writeString(dir.resolve("qrels/trec.tsv"), "q1 0 d1 3\nq1 0 d2 0\n");
    BeirDataset trec = BeirDataset.load(dir, "trec");
    assertThat(trec.queries()).containsOnlyKeys("q1");
    assertThat(trec.judgments("q1")).isEqualTo(Map.of("d1", 3, "d2", 0));
  }
}
