package dev.ragtime.search;

import dev.ragtime.index.Candidate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a ranked list of chunks into a ranked list of documents: a document scores as its best
 * chunk (the maximum over its chunks in the list). Of documents with equal scores, the one whose
 * best chunk comes first in the input comes first. Pure and stateless.
 */
final class DocumentRanking {
  private DocumentRanking() {}

  /** The documents of {@code chunks} by descending best-chunk score. */
  static List<DocumentHit> byBestChunk(List<Candidate> chunks) {
    Map<String, Best> best = new HashMap<>();
    for (int i = 0; i < chunks.size(); i++) {
      Candidate c = chunks.get(i);
      Best b = best.get(c.docId());
      if (b == null) {
        best.put(c.docId(), new Best(c.docId(), c.score(), i));
      } else if (c.score() > b.score) {
        b.score = c.score();
        b.position = i;
      }
    }
    List<Best> ranked = new ArrayList<>(best.values());
    ranked.sort(Comparator.comparingDouble((Best b) -> -b.score).thenComparingInt(b -> b.position));
    List<DocumentHit> documents = new ArrayList<>(ranked.size());
    for (Best b : ranked) {
      documents.add(new DocumentHit(b.docId, b.score));
    }
    return documents;
  }

  private static final class Best {
    final String docId;
    float score;
    int position;

    Best(String docId, float score, int position) {
      this.docId = docId;
      this.score = score;
      this.position = position;
    }
  }
}
