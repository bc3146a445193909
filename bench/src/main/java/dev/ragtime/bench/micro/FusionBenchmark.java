package dev.ragtime.bench.micro;

import dev.ragtime.index.Candidate;
import dev.ragtime.search.ReciprocalRankFusion;
import dev.ragtime.search.ScoreFusion;
import dev.ragtime.search.SearchConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Hybrid fusion as a search runs it: a BM25 and a kNN list of {@value #DEPTH} candidates each,
 * fused into the top 10 on {@link Candidate}s, by reciprocal rank fusion (k = 60) and by the
 * default score fusion (BM25 share 0.3, {@code max} normalisation). {@code overlap} is the share of
 * chunks found by both lists, at random ranks (fixed seed).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FusionBenchmark {
  static final int DEPTH = 100;
  static final int TOP = 10;

  @Param({"0.3"})
  public double overlap;

  private List<List<Candidate>> lists;
  private final List<Double> weights = List.of(1.0, 1.0);

  @Setup
  public void setUp() {
    Random random = new Random(42);
    int shared = (int) Math.round(overlap * DEPTH);
    List<Candidate> lexical = new ArrayList<>(DEPTH);
    List<Candidate> vector = new ArrayList<>(DEPTH);
    for (int i = 0; i < DEPTH; i++) {
      lexical.add(candidate("a" + i, 20f - i * 0.1f, i));
      vector.add(candidate(i < shared ? "a" + i : "b" + i, 0.9f - i * 0.001f, DEPTH + i));
    }
    Collections.shuffle(vector, random);
    lists = List.of(List.copyOf(lexical), List.copyOf(vector));
  }

  private static Candidate candidate(String doc, float score, long ref) {
    return new Candidate(doc, doc + "#0", score, ref);
  }

  @Benchmark
  public List<Candidate> fuse() {
    return ReciprocalRankFusion.fuse(
        lists, weights, SearchConfig.DEFAULT_RRF_K, TOP, Candidate::chunkId, Candidate::withScore);
  }

  @Benchmark
  public List<Candidate> fuseScores() {
    return ScoreFusion.fuse(
        lists.get(0),
        lists.get(1),
        SearchConfig.DEFAULT.scoreWeight(),
        SearchConfig.DEFAULT.normalization(),
        TOP,
        DEPTH);
  }
}
