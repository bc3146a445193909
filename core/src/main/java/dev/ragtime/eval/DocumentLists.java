package dev.ragtime.eval;

import dev.ragtime.index.Hit;
import dev.ragtime.index.IndexSnapshot;
import dev.ragtime.search.ReciprocalRankFusion;
import dev.ragtime.search.SearchConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Document rankings from chunk rankings, for evaluation against document-level judgments: in one
 * ranked chunk list a document scores as its best (first) chunk; two document lists are fused with
 * reciprocal rank fusion exactly as the searcher fuses chunk lists. The document hits carry the
 * document id as chunk id and no text.
 *
 * <p>Chunk lists are fetched deep enough that {@code documents} distinct documents come back, or
 * the index has no more: a first request of about {@code documents × chunksPerDocument} chunks,
 * doubled until enough documents are found.
 */
final class DocumentLists {
  /** Deepest chunk list requested. */
  static final int MAX_CHUNK_DEPTH = 10_000;

  private DocumentLists() {}

  /** The best-chunk document ranking of a chunk ranking (best first), at most {@code limit}. */
  static List<Hit> byBestChunk(List<Hit> chunks, int limit) {
    List<Hit> docs = new ArrayList<>(Math.min(limit, chunks.size()));
    Set<String> seen = new HashSet<>();
    for (Hit h : chunks) {
      if (docs.size() == limit) {
        break;
      }
      if (seen.add(h.docId())) {
        docs.add(new Hit(h.docId(), h.docId(), h.score(), "", Map.of()));
      }
    }
    return docs;
  }

  /** BM25: the best {@code documents} documents by their best chunk. */
  static List<Hit> lexical(
      IndexSnapshot snapshot, String query, int documents, double chunksPerDocument) {
    return deepEnough(k -> snapshot.lexical(query, Map.of(), k), documents, chunksPerDocument);
  }

  /** Vector: the best {@code documents} documents by their best chunk. */
  static List<Hit> vector(
      IndexSnapshot snapshot, float[] vector, int documents, double chunksPerDocument) {
    return deepEnough(k -> snapshot.vector(vector, Map.of(), k), documents, chunksPerDocument);
  }

  /**
   * Reciprocal rank fusion of two document lists, each cut at {@code config.candidates()} (but at
   * least {@code topN}) documents, with the config's constant and weights.
   */
  static List<Hit> fuse(List<Hit> lexical, List<Hit> vector, SearchConfig config, int topN) {
    int depth = Math.max(topN, config.candidates());
    List<List<Hit>> lists = new ArrayList<>(2);
    List<Double> weights = new ArrayList<>(2);
    if (config.lexicalWeight() > 0) {
      lists.add(head(lexical, depth));
      weights.add(config.lexicalWeight());
    }
    if (config.vectorWeight() > 0) {
      lists.add(head(vector, depth));
      weights.add(config.vectorWeight());
    }
    return ReciprocalRankFusion.fuse(lists, weights, config.rrfK(), topN);
  }

  static List<String> ids(List<Hit> hits) {
    List<String> ids = new ArrayList<>(hits.size());
    for (Hit h : hits) {
      ids.add(h.docId());
    }
    return ids;
  }

  private static List<Hit> head(List<Hit> list, int n) {
    return list.size() <= n ? list : list.subList(0, n);
  }

  private static List<Hit> deepEnough(
      IntFunction<List<Hit>> search, int documents, double chunksPerDocument) {
    if (documents < 1) {
      throw new IllegalArgumentException("documents must be positive, was " + documents);
    }
    double ratio = Math.max(1, chunksPerDocument);
    int k = (int) Math.min(MAX_CHUNK_DEPTH, Math.ceil(documents * ratio * 1.25) + 10);
    while (true) {
      List<Hit> chunks = search.apply(k);
      List<Hit> docs = byBestChunk(chunks, documents);
      if (docs.size() >= documents || chunks.size() < k || k >= MAX_CHUNK_DEPTH) {
        return docs;
      }
      k = Math.min(MAX_CHUNK_DEPTH, k * 2);
    }
  }
}
