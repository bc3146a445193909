package dev.ragtime.search;

import dev.ragtime.embed.ModelInfo;
import dev.ragtime.index.Candidate;
import dev.ragtime.index.Hit;
import dev.ragtime.index.IndexSnapshot;
import dev.ragtime.index.SearchableIndex;
import dev.ragtime.testing.FakeEmbeddingModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link SearchableIndex} whose snapshots answer every query with fixed ranked candidate lists
 * (cut to the requested k), so tests can state ranks and scores by hand. Records the depths asked
 * for and the candidates loaded. Candidate {@code ref}s are positions in {@link #lexical} followed
 * by {@link #vector}; a hit's text is {@code "text of <chunkId>"}.
 */
final class FakeSearchableIndex implements SearchableIndex {
  final List<Candidate> lexical;
  final List<Candidate> vector;
  final List<Integer> lexicalDepths = new CopyOnWriteArrayList<>();
  final List<Integer> vectorDepths = new CopyOnWriteArrayList<>();
  final List<List<Candidate>> loads = new CopyOnWriteArrayList<>();

  /** Lists of {@code "chunkId=score"} entries; the document id is the chunk id up to '#'. */
  FakeSearchableIndex(List<String> lexical, List<String> vector) {
    this.lexical = parse(lexical, 0);
    this.vector = parse(vector, lexical.size());
  }

  private static List<Candidate> parse(List<String> entries, int firstRef) {
    List<Candidate> out = new ArrayList<>();
    for (String e : entries) {
      String[] kv = e.split("=");
      String chunkId = kv[0];
      out.add(
          new Candidate(
              chunkId.substring(0, chunkId.indexOf('#')),
              chunkId,
              Float.parseFloat(kv[1]),
              firstRef + out.size()));
    }
    return List.copyOf(out);
  }

  @Override
  public String name() {
    return "fake";
  }

  @Override
  public ModelInfo model() {
    return FakeEmbeddingModel.DEFAULT_INFO;
  }

  @Override
  public String reindexAdvice() {
    return "rebuild the fake index";
  }

  @Override
  public IndexSnapshot snapshot() {
    return new IndexSnapshot() {
      @Override
      public List<Candidate> lexicalCandidates(String query, Map<String, String> filters, int k) {
        lexicalDepths.add(k);
        return lexical.subList(0, Math.min(k, lexical.size()));
      }

      @Override
      public List<Candidate> vectorCandidates(float[] v, Map<String, String> filters, int k) {
        vectorDepths.add(k);
        return vector.subList(0, Math.min(k, vector.size()));
      }

      @Override
      public List<Hit> load(List<Candidate> candidates) {
        loads.add(List.copyOf(candidates));
        return candidates.stream()
            .map(
                c -> new Hit(c.docId(), c.chunkId(), c.score(), "text of " + c.chunkId(), Map.of()))
            .toList();
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public void close() {}
}
