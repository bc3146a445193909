package dev.ragtime.bench.vector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ragtime.index.DocumentWrite;
import dev.ragtime.index.Hit;
import dev.ragtime.index.Index;
import dev.ragtime.index.IndexedChunk;
import dev.ragtime.index.LuceneCollections;
import dev.ragtime.search.SearchConfig;
import dev.ragtime.search.SearchMode;
import dev.ragtime.search.SearchRequest;
import dev.ragtime.search.Searcher;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pieces of the vector-search benchmark on small random data. Correctness only. */
class VectorSearchSmokeTest {
  @TempDir Path dir;

  private static float[][] randomUnitVectors(int n, int dimension, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[][] out = new float[n][dimension];
    for (float[] v : out) {
      double norm = 0;
      for (int d = 0; d < dimension; d++) {
        v[d] = (float) (random.nextDouble() - 0.5);
        norm += v[d] * v[d];
      }
      for (int d = 0; d < dimension; d++) {
        v[d] /= (float) Math.sqrt(norm);
      }
    }
    return out;
  }

  @Test
  void bruteForceFindsEachVectorFirstAndRanksByDotProduct() {
    float[][] base = randomUnitVectors(500, 16, 1);
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      int[][] top = BruteForce.topK(base, base, 5, pool, 3);
      for (int q = 0; q < base.length; q++) {
        assertThat(top[q][0]).isEqualTo(q);
        for (int j = 1; j < 5; j++) {
          assertThat(dot(base[q], base[top[q][j - 1]]))
              .isGreaterThanOrEqualTo(dot(base[q], base[top[q][j]]));
        }
      }
    }
    assertThat(BruteForce.recall(new int[] {1, 2, 3, 4}, new int[] {4, 9, 1, 7})).isEqualTo(0.5);
  }

  @Test
  void syntheticChildrenHaveTheRequestedCosineToTheirParents() {
    float[][] real = randomUnitVectors(200, 384, 2);
    double sigma = SyntheticVectors.sigmaFor(0.9, 384);
    int[] parents = new int[5_000];
    float[][] all = SyntheticVectors.extend(real, 5_000, sigma, 7, parents);
    assertThat(all[10]).isSameAs(real[10]);
    double sum = 0;
    for (int i = real.length; i < all.length; i++) {
      assertThat(dot(all[i], all[i])).isCloseTo(1.0, within(1e-4));
      sum += dot(all[i], real[parents[i]]);
    }
    assertThat(sum / (all.length - real.length)).isCloseTo(0.9, within(0.01));
  }

  @Test
  void theProductSearcherFindsTheExactNeighboursOfASmallIndex() {
    // Clustered like real embeddings (uniformly random 384-d vectors have no neighbourhoods for a
    // graph to follow): 50 random centres, 40 children each; queries are further children.
    int n = 2_000;
    double sigma = SyntheticVectors.sigmaFor(0.8, 384);
    float[][] centres = randomUnitVectors(50, 384, 3);
    float[][] base = SyntheticVectors.extend(centres, n, sigma, 4, new int[n]);
    float[][] queries = new float[20][];
    System.arraycopy(
        SyntheticVectors.extend(centres, 70, sigma, 5, new int[70]), 50, queries, 0, 20);
    LuceneCollections collections = LuceneCollections.at(dir);
    try (Index index = collections.open("bench", VectorSearchBenchmark.MODEL)) {
      List<DocumentWrite> writes = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        writes.add(
            new DocumentWrite(
                "v" + i,
                "h",
                List.of(new IndexedChunk("v" + i + "#0", 0, "text " + i, base[i], Map.of()))));
      }
      index.write(writes);
      Map<String, float[]> lookup = new HashMap<>();
      for (int q = 0; q < queries.length; q++) {
        lookup.put("query " + q, queries[q]);
      }
      Searcher searcher =
          Searcher.create(
              index, new LookupModel(VectorSearchBenchmark.MODEL, lookup), SearchConfig.DEFAULT);
      double recall = 0;
      for (int q = 0; q < queries.length; q++) {
        List<Hit> hits =
            searcher
                .search(new SearchRequest("query " + q, 10, SearchMode.VECTOR, Map.of()))
                .hits();
        int[] found =
            hits.stream().mapToInt(h -> Integer.parseInt(h.docId().substring(1))).toArray();
        recall += BruteForce.recall(BruteForce.topK(base, queries[q], 10), found);
      }
      assertThat(recall / queries.length).isGreaterThanOrEqualTo(0.95);
    }
  }

  @Test
  void vectorFilesRoundTripAndResumeAfterAPartialVector() throws Exception {
    Path file = dir.resolve("v.f32");
    float[][] vectors = randomUnitVectors(5, 4, 5);
    VectorFile.append(file, List.of(vectors[0], vectors[1]), 4);
    java.nio.file.Files.write(
        file, new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND); // torn write
    VectorFile.append(file, List.of(vectors[2], vectors[3], vectors[4]), 4);
    assertThat(VectorFile.count(file, 4)).isEqualTo(5);
    assertThat(VectorFile.read(file, 5, 4)).isDeepEqualTo(vectors);
  }

  @Test
  void queriesAreTheFirstSentenceCutAtThirtyTwoWords() {
    assertThat(VectorData.querify("Paris is the capital of France. It is large."))
        .isEqualTo("Paris is the capital of France.");
    String longSentence = "word ".repeat(40).strip() + ".";
    assertThat(VectorData.querify(longSentence).split(" ")).hasSize(VectorData.QUERY_WORDS);
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }
}
