package dev.ragtime.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ragtime.index.DocumentWrite;
import dev.ragtime.index.Hit;
import dev.ragtime.index.Index;
import dev.ragtime.index.IndexSnapshot;
import dev.ragtime.index.IndexedChunk;
import dev.ragtime.index.LuceneCollections;
import dev.ragtime.testing.FakeEmbeddingModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hybrid search fuses light candidates and loads text for the final hits only; this checks that it
 * returns exactly what the straightforward way returns (load every hit of both lists, fuse hits),
 * on a randomised index (several segments, updates, deletes, filters) with a fixed seed, across
 * fusion settings, including the ties that the chunk-id tie-break decides.
 */
class HybridSearchEquivalenceTest {
  private static final long SEED = 0x5EED_2024L;
  private static final List<String> WORDS =
      List.of(
          "alpha",
          "beta",
          "gamma",
          "delta",
          "river",
          "rivers",
          "mountain",
          "sea",
          "lake",
          "forest",
          "server",
          "maven",
          "index",
          "vector",
          "search",
          "query",
          "document",
          "chunk",
          "lucene",
          "fusion",
          "rank",
          "score",
          "the",
          "of",
          "and",
          "a",
          "running",
          "runs",
          "blue",
          "green");

  /** Lexical and vector fusion weights. */
  private static final List<double[]> WEIGHTS =
      List.of(
          new double[] {1, 1},
          new double[] {1, 1},
          new double[] {0.3, 1.7},
          new double[] {1, 0},
          new double[] {0, 1});

  @TempDir Path dataDir;

  private final FakeEmbeddingModel model = FakeEmbeddingModel.create("test/equivalence", 16);

  @Test
  void hybridResultsEqualThoseOfLoadingAndFusingEveryHitForBothFusions() {
    Random random = new Random(SEED);
    int compared = 0;
    int ties = 0;
    try (Index index = LuceneCollections.at(dataDir).open("random", model.info())) {
      for (int batch = 0; batch < 4; batch++) {
        int first = batch * 100;
        index.write(
            IntStream.range(first, first + 100).mapToObj(i -> document(random, "d" + i)).toList());
      }
      index.write(
          IntStream.range(0, 30)
              .mapToObj(i -> document(random, "d" + random.nextInt(400)))
              .collect(Collectors.toMap(DocumentWrite::docId, d -> d, (a, b) -> b))
              .values()
              .stream()
              .toList());
      Set<String> deleted = new HashSet<>();
      for (int i = 0; i < 20; i++) {
        deleted.add("d" + random.nextInt(400));
      }
      index.delete(deleted);

      for (int q = 0; q < 80; q++) {
        double[] weights = pick(random, WEIGHTS);
        SearchConfig config =
            new SearchConfig(
                pick(random, List.of(0, 1, 60)),
                pick(random, List.of(1, 5, 20, 100)),
                weights[0],
                weights[1]);
        String query =
            IntStream.range(0, 1 + random.nextInt(4))
                .mapToObj(i -> pick(random, WORDS))
                .collect(Collectors.joining(" "));
        Map<String, String> filters =
            random.nextInt(4) == 0 ? Map.of("group", "g" + random.nextInt(3)) : Map.of();
        SearchRequest request =
            new SearchRequest(
                query, pick(random, List.of(1, 3, 10, 25)), SearchMode.HYBRID, filters);

        List<Hit> actual = Searcher.create(index, model, config).search(request).hits();
        Reference expected;
        try (IndexSnapshot snapshot = index.snapshot()) {
          expected = reference(snapshot, request, config, model.vectorOf(query));
        }

        assertThat(actual).as("query '%s' %s %s", query, filters, config).isEqualTo(expected.hits);
        compared++;
        ties += expected.ties;
      }

      // Score fusion: the same pipeline with the other fusion, against fusing every loaded hit.
      for (int q = 0; q < 40; q++) {
        SearchConfig config =
            SearchConfig.scoreFusion(
                pick(random, List.of(0.0, 0.3, 0.5, 0.5, 1.0)),
                ScoreNormalization.MIN_MAX,
                pick(random, List.of(1, 5, 20, 100)));
        String query =
            IntStream.range(0, 1 + random.nextInt(4))
                .mapToObj(i -> pick(random, WORDS))
                .collect(Collectors.joining(" "));
        SearchRequest request =
            new SearchRequest(
                query, pick(random, List.of(1, 3, 10, 25)), SearchMode.HYBRID, Map.of());

        List<Hit> actual = Searcher.create(index, model, config).search(request).hits();
        List<Hit> expected;
        try (IndexSnapshot snapshot = index.snapshot()) {
          int depth = Math.max(request.k(), config.candidates());
          expected =
              minMaxReference(
                  config.fusesLexical() ? snapshot.lexical(query, Map.of(), depth) : List.of(),
                  config.fusesVector()
                      ? snapshot.vector(model.vectorOf(query), Map.of(), depth)
                      : List.of(),
                  config.scoreWeight(),
                  request.k());
        }
        assertThat(actual).as("query '%s' %s", query, config).isEqualTo(expected);
        compared++;
      }
    }
    assertThat(compared).isEqualTo(120);
    assertThat(ties).as("ties decided by chunk id were exercised").isGreaterThan(10);
  }

  private DocumentWrite document(Random random, String docId) {
    Map<String, String> metadata = Map.of("group", "g" + random.nextInt(3));
    List<IndexedChunk> chunks = new ArrayList<>();
    int n = 1 + random.nextInt(4);
    for (int c = 0; c < n; c++) {
      String text =
          IntStream.range(0, 3 + random.nextInt(10))
              .mapToObj(i -> pick(random, WORDS))
              .collect(Collectors.joining(" "));
      chunks.add(new IndexedChunk(docId + "#" + c, c, text, model.vectorOf(text), metadata));
    }
    return new DocumentWrite(docId, "h" + random.nextInt(), chunks);
  }

  private static <T> T pick(Random random, List<T> values) {
    return values.get(random.nextInt(values.size()));
  }

  private record Reference(List<Hit> hits, int ties) {}

  /**
   * Min-max score fusion written out independently of {@link ScoreFusion}: each list's distinct
   * hits scaled to [0, 1] (all equal: 1), a hit missing from a list scores 0 there, fused as {@code
   * share * lexical + (1 - share) * vector}, ordered by fused score, then best rank, then chunk id.
   */
  private static List<Hit> minMaxReference(
      List<Hit> lexical, List<Hit> vector, double share, int k) {
    Map<String, Hit> firstHit = new LinkedHashMap<>();
    Map<String, double[]> parts = new HashMap<>();
    Map<String, Integer> bestRank = new HashMap<>();
    List<List<Hit>> lists = List.of(lexical, vector);
    for (int list = 0; list < 2; list++) {
      Map<String, Double> raw = new LinkedHashMap<>();
      for (int r = 1; r <= lists.get(list).size(); r++) {
        Hit h = lists.get(list).get(r - 1);
        if (raw.putIfAbsent(h.chunkId(), (double) h.score()) == null) {
          firstHit.putIfAbsent(h.chunkId(), h);
          bestRank.merge(h.chunkId(), r, Math::min);
        }
      }
      double min = raw.values().stream().mapToDouble(d -> d).min().orElse(0);
      double max = raw.values().stream().mapToDouble(d -> d).max().orElse(0);
      for (var e : raw.entrySet()) {
        double scaled = max == min ? 1 : (e.getValue() - min) / (max - min);
        parts.computeIfAbsent(e.getKey(), x -> new double[2])[list] = scaled;
      }
    }
    Map<String, Double> fused = new HashMap<>();
    parts.forEach((id, p) -> fused.put(id, share * p[0] + (1 - share) * p[1]));
    List<String> ids = new ArrayList<>(firstHit.keySet());
    ids.sort(
        Comparator.comparingDouble((String id) -> -fused.get(id))
            .thenComparingInt(bestRank::get)
            .thenComparing(Comparator.naturalOrder()));
    return ids.stream()
        .limit(k)
        .map(id -> firstHit.get(id).withScore((float) (double) fused.get(id)))
        .toList();
  }

  /** The old path: full hits for both lists, then reciprocal rank fusion over hits. */
  private static Reference reference(
      IndexSnapshot snapshot, SearchRequest request, SearchConfig config, float[] vector) {
    int depth = Math.max(request.k(), config.candidates());
    List<List<Hit>> lists = new ArrayList<>();
    List<Double> weights = new ArrayList<>();
    if (config.lexicalWeight() > 0) {
      lists.add(snapshot.lexical(request.query(), request.filters(), depth));
      weights.add(config.lexicalWeight());
    }
    if (config.vectorWeight() > 0) {
      lists.add(snapshot.vector(vector, request.filters(), depth));
      weights.add(config.vectorWeight());
    }
    Map<String, Hit> firstHit = new LinkedHashMap<>();
    Map<String, Double> score = new HashMap<>();
    Map<String, Integer> bestRank = new HashMap<>();
    for (int i = 0; i < lists.size(); i++) {
      Set<String> seen = new HashSet<>();
      for (int r = 1; r <= lists.get(i).size(); r++) {
        Hit h = lists.get(i).get(r - 1);
        if (!seen.add(h.chunkId())) {
          continue;
        }
        firstHit.putIfAbsent(h.chunkId(), h);
        score.merge(h.chunkId(), weights.get(i) / (config.rrfK() + r), Double::sum);
        bestRank.merge(h.chunkId(), r, Math::min);
      }
    }
    List<String> ids = new ArrayList<>(firstHit.keySet());
    ids.sort(
        Comparator.comparingDouble((String id) -> -score.get(id))
            .thenComparingInt(bestRank::get)
            .thenComparing(Comparator.naturalOrder()));
    int ties = 0;
    for (int i = 1; i < Math.min(ids.size(), request.k() + 1); i++) {
      if (score.get(ids.get(i)).equals(score.get(ids.get(i - 1)))
          && bestRank.get(ids.get(i)).equals(bestRank.get(ids.get(i - 1)))) {
        ties++;
      }
    }
    List<Hit> hits =
        ids.stream()
            .limit(request.k())
            .map(id -> firstHit.get(id).withScore((float) (double) score.get(id)))
            .toList();
    return new Reference(hits, ties);
  }
}
