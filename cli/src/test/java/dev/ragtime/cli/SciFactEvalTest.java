package dev.ragtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragtime.testing.SharedData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retrieval quality on BEIR SciFact (test split, 300 queries), run exactly as {@code ragtime eval
 * --dataset DIR --mode all --json} runs it: the local all-MiniLM-L6-v2 model, the BEIR/MTEB
 * protocol (each abstract embedded whole as {@code title + " " + text}, truncated at 256
 * word-pieces), the Lucene index and the default hybrid fusion. Bars:
 *
 * <ul>
 *   <li>vector nDCG@10 within ±0.005 of 0.6451, MTEB's published number for this model: this is
 *       what proves tokenizer, truncation, pooling and normalisation right;
 *   <li>BM25 nDCG@10 at least 0.675 (Anserini's flat BM25 reaches 0.6789);
 *   <li>hybrid nDCG@10 at least 0.730: the issue asks for 0.715 (about what reciprocal rank fusion
 *       gives, 0.7187); the default score fusion measures 0.7350, so this keeps a margin of 0.005
 *       for run-to-run variation while catching a fall back to rank fusion.
 * </ul>
 *
 * <p>Embeds the 5,183 abstracts once (the longest part: minutes on two cores). Skips when the
 * shared data is absent.
 */
class SciFactEvalTest {
  private static final double MTEB_VECTOR_NDCG = 0.6451;

  @TempDir Path data;

  @Test
  void sciFactMeetsTheQualityBarOfEveryMode() throws Exception {
    Path scifact = SharedData.sciFact();

    var out = new StringWriter();
    var err = new StringWriter();
    long start = System.nanoTime();
    int code =
        Main.run(
            new String[] {"eval", "--dataset", scifact.toString(), "--mode", "all", "--json"},
            Map.of(
                "RAGTIME_DATA",
                data.toString(),
                "RAGTIME_NATIVE_DIR",
                Path.of("target", "native").toAbsolutePath().toString()),
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            false);
    System.err.printf("SciFact evaluation took %.0f s%n", (System.nanoTime() - start) / 1e9);
    assertThat(code).as(err.toString()).isZero();
    JsonNode report = new ObjectMapper().readTree(out.toString());
    System.err.println("SciFact: " + report);

    assertThat(report.get("queries").asInt()).isEqualTo(300);
    JsonNode modes = report.get("modes");
    double vector = modes.get("vector").get("ndcg@10").asDouble();
    double bm25 = modes.get("bm25").get("ndcg@10").asDouble();
    double hybrid = modes.get("hybrid").get("ndcg@10").asDouble();
    assertThat(vector)
        .as("vector nDCG@10")
        .isBetween(MTEB_VECTOR_NDCG - 0.005, MTEB_VECTOR_NDCG + 0.005);
    assertThat(bm25).as("bm25 nDCG@10").isGreaterThanOrEqualTo(0.675);
    assertThat(hybrid).as("hybrid nDCG@10").isGreaterThanOrEqualTo(0.730);
    // Recall@100 references measured with the same model and exact search (DESIGN.md section 6).
    assertThat(modes.get("vector").get("recall@100").asDouble()).isGreaterThan(0.91);
    assertThat(modes.get("hybrid").get("recall@100").asDouble()).isGreaterThan(0.94);
  }
}
