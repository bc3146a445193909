package dev.ragtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragtime.testing.TinyBeirDataset;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ragtime eval} on a tiny generated BEIR dataset, with the real local model. */
class EvalCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> FIELDS =
      List.of("ndcg@10", "recall@100", "mrr@10", "map@100", "searchP50Ms", "searchP99Ms");

  @TempDir static Path tmp;
  static Path dataset;

  @BeforeAll
  static void writeDataset() {
    dataset = TinyBeirDataset.write(tmp.resolve("tiny"));
  }

  static Run ragtime(String... args) {
    return ragtime(Map.of(), args);
  }

  static Run ragtime(Map<String, String> extraEnv, String... args) {
    var out = new StringWriter();
    var err = new StringWriter();
    var env = new HashMap<String, String>(extraEnv);
    env.put("RAGTIME_DATA", tmp.resolve("data").toString());
    env.put("RAGTIME_NATIVE_DIR", Path.of("target", "native").toAbsolutePath().toString());
    int code = Main.run(args, env, new PrintWriter(out, true), new PrintWriter(err, true), false);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void jsonOutputHasOneObjectWithTheFourMeasuresAndLatenciesPerMode() {
    Run r = ragtime("eval", "--dataset", dataset.toString(), "--mode", "all", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode j = r.json();
    assertThat(j.get("dataset").asText()).isEqualTo("tiny");
    assertThat(j.get("split").asText()).isEqualTo("test");
    assertThat(j.get("queries").asInt()).isEqualTo(TinyBeirDataset.QUERIES);
    assertThat(j.get("chunked").asBoolean()).isFalse();
    List<String> modes = new ArrayList<>();
    j.get("modes").fieldNames().forEachRemaining(modes::add);
    assertThat(modes).containsExactly("bm25", "vector", "hybrid");
    for (String mode : modes) {
      JsonNode m = j.get("modes").get(mode);
      List<String> fields = new ArrayList<>();
      m.fieldNames().forEachRemaining(fields::add);
      assertThat(fields).as(mode).containsExactlyElementsOf(FIELDS);
      for (String metric : FIELDS.subList(0, 4)) {
        assertThat(m.get(metric).asDouble()).as(mode + " " + metric).isBetween(0.0, 1.0);
      }
      assertThat(m.get("searchP50Ms").asDouble())
          .isLessThanOrEqualTo(m.get("searchP99Ms").asDouble());
      // Every query names its topic word, which only the relevant documents contain.
      assertThat(m.get("ndcg@10").asDouble()).as(mode).isGreaterThan(0.6);
    }
    assertThat(r.err()).contains("eval-tiny-beir-");
  }

  @Test
  void chunkedEvaluationOfOneModeReportsOnlyThatMode() {
    Run r =
        ragtime("eval", "--dataset", dataset.toString(), "--mode", "bm25", "--chunked", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode j = r.json();
    assertThat(j.get("chunked").asBoolean()).isTrue();
    assertThat(j.get("modes").size()).isEqualTo(1);
    assertThat(j.get("modes").get("bm25").get("recall@100").asDouble()).isEqualTo(1.0);
    assertThat(r.err()).contains("eval-tiny-chunked-");
  }

  @Test
  void aSecondRunReusesTheScratchCollectionAndPrintsATable() {
    assertThat(ragtime("eval", "--dataset", dataset.toString(), "--mode", "bm25").code()).isZero();
    Run again = ragtime("eval", "--dataset", dataset.toString(), "--mode", "bm25,hybrid");
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(again.err())
        .contains("(0 indexed, " + TinyBeirDataset.DOCUMENTS + " unchanged")
        .contains("0 texts embedded");
    assertThat(again.out())
        .contains("nDCG@10")
        .contains("Recall@100")
        .contains("MAP@100")
        .contains("hybrid fusion: score, bm25 share 0.30, max, candidates 100");
    assertThat(again.out().lines().filter(l -> l.matches("(bm25|hybrid) +[0-9].*"))).hasSize(2);
  }

  @Test
  void theFusionMethodAndItsSettingsComeFromTheConfiguration() {
    Run rrf =
        ragtime(
            Map.of("RAGTIME_SEARCH_FUSION", "rrf", "RAGTIME_SEARCH_RRF_K", "20"),
            "eval",
            "--dataset",
            dataset.toString(),
            "--mode",
            "hybrid");
    assertThat(rrf.code()).as(rrf.err()).isZero();
    assertThat(rrf.out()).contains("hybrid fusion: rrf-k 20, candidates 100");

    Run score =
        ragtime(
            Map.of(
                "RAGTIME_SEARCH_FUSION",
                "score",
                "RAGTIME_SEARCH_SCORE_WEIGHT",
                "0.4",
                "RAGTIME_SEARCH_SCORE_NORMALIZATION",
                "min-max",
                "RAGTIME_SEARCH_CANDIDATES",
                "50"),
            "eval",
            "--dataset",
            dataset.toString(),
            "--mode",
            "hybrid");
    assertThat(score.code()).as(score.err()).isZero();
    assertThat(score.out())
        .contains("hybrid fusion: score, bm25 share 0.40, min-max, candidates 50");

    Run bad =
        ragtime(
            Map.of("RAGTIME_SEARCH_SCORE_WEIGHT", "1.5"),
            "eval",
            "--dataset",
            dataset.toString(),
            "--mode",
            "hybrid");
    assertThat(bad.code()).isNotZero();
    assertThat(bad.err()).contains("search configuration").contains("1.5");
    Run unknown =
        ragtime(Map.of("RAGTIME_SEARCH_FUSION", "magic"), "eval", "--dataset", dataset.toString());
    assertThat(unknown.code()).isNotZero();
    assertThat(unknown.err()).contains("'magic'").contains("rrf, score");
  }

  @Test
  void hiddenTuningReportsTheCurrentAndTheBestFusionSettingsOnBothSplits() {
    Run r = ragtime("eval", "--dataset", dataset.toString(), "--tune", "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode j = r.json();
    assertThat(j.get("tuneSplit").asText()).isEqualTo("train");
    assertThat(j.get("grid").asInt()).isGreaterThan(100);
    for (String setting : List.of("current", "tunedRrf", "tunedScore")) {
      assertThat(j.get(setting).get("train").get("ndcg@10").asDouble()).isBetween(0.0, 1.0);
      assertThat(j.get(setting).get("test").get("ndcg@10").asDouble()).isBetween(0.0, 1.0);
    }
    assertThat(j.get("tunedRrf").get("fusion").asText()).isEqualTo("rrf");
    assertThat(j.get("tunedScore").get("fusion").asText()).isEqualTo("score");
    assertThat(j.get("tunedScore").get("scoreWeight").asDouble()).isBetween(0.0, 1.0);
    assertThat(j.get("rrf").size()).isEqualTo(20);
    assertThat(j.get("score").size()).isGreaterThan(20);
    // The full score grid is listed, the RRF grid's best 20: together less than the whole grid.
    assertThat(j.get("grid").asInt()).isGreaterThan(j.get("score").size() + 20);
    // "Best": each grid is listed best first on the tuning split, and the tuned setting is the
    // first row of its grid, setting for setting.
    for (String grid : List.of("rrf", "score")) {
      JsonNode rows = j.get(grid);
      for (int i = 1; i < rows.size(); i++) {
        assertThat(rows.get(i - 1).get("train").get("ndcg@10").asDouble())
            .as("%s row %d against row %d", grid, i - 1, i)
            .isGreaterThanOrEqualTo(rows.get(i).get("train").get("ndcg@10").asDouble());
      }
    }
    for (String field : List.of("candidates", "rrfK", "lexicalWeight", "vectorWeight")) {
      assertThat(j.get("tunedRrf").get(field)).as(field).isEqualTo(j.get("rrf").get(0).get(field));
    }
    for (String field : List.of("candidates", "scoreWeight", "normalization")) {
      assertThat(j.get("tunedScore").get(field))
          .as(field)
          .isEqualTo(j.get("score").get(0).get(field));
    }
  }

  @Test
  void badArgumentsFailWithOneLine() {
    Run mode = ragtime("eval", "--dataset", dataset.toString(), "--mode", "fuzzy");
    assertThat(mode.code()).isEqualTo(2);
    assertThat(mode.err()).contains("fuzzy");

    Run split = ragtime("eval", "--dataset", dataset.toString(), "--split", "dev");
    assertThat(split.code()).isEqualTo(1);
    assertThat(split.err().strip().lines()).hasSize(1);
    assertThat(split.err()).contains("dev.tsv").contains("test, train");

    Run missing = ragtime("eval", "--dataset", tmp.resolve("nowhere").toString());
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).contains("nowhere");

    assertThat(ragtime("eval").code()).isEqualTo(2);
  }
}
