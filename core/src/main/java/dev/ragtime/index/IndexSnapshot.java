package dev.ragtime.index;

import java.util.List;
import java.util.Map;

/**
 * A consistent, read-only view of one collection at a point in time: every search through one
 * snapshot sees the same version of every document, so fusing lexical and vector results never
 * mixes an old and a new version. Thread-safe unless an implementation says otherwise; must be
 * closed (it pins index resources).
 *
 * <p>Searches come in two steps: {@link #lexicalCandidates} and {@link #vectorCandidates} rank
 * chunks and identify them, cheaply; {@link #load} reads text and metadata for the candidates that
 * are finally wanted. {@link #lexical} and {@link #vector} do both at once.
 */
public interface IndexSnapshot extends AutoCloseable {

  /**
   * BM25 over chunk text, without loading text and metadata.
   *
   * @param query user query text (analysed like the indexed text; operators are not interpreted)
   * @param filters exact-match metadata filters, all of which must hold; empty for none
   * @param k maximum candidates, positive
   * @return candidates by descending BM25 score
   */
  List<Candidate> lexicalCandidates(String query, Map<String, String> filters, int k);

  /**
   * Approximate nearest neighbours by cosine similarity, without loading text and metadata.
   *
   * @param vector L2-normalised query vector of the index's dimension
   * @param filters exact-match metadata filters; empty for none
   * @param k maximum candidates, positive
   * @return candidates by descending similarity
   */
  List<Candidate> vectorCandidates(float[] vector, Map<String, String> filters, int k);

  /**
   * The hits of candidates that this snapshot produced, in the given order, each with its
   * candidate's score (which the caller may have replaced, see {@link Candidate#withScore}).
   *
   * @throws IllegalArgumentException for a candidate whose {@link Candidate#ref} names no chunk of
   *     this snapshot, or another chunk than its {@link Candidate#chunkId}
   */
  List<Hit> load(List<Candidate> candidates);

  /**
   * BM25 over chunk text: {@link #lexicalCandidates} then {@link #load}.
   *
   * @return hits by descending BM25 score
   */
  default List<Hit> lexical(String query, Map<String, String> filters, int k) {
    return load(lexicalCandidates(query, filters, k));
  }

  /**
   * Approximate nearest neighbours: {@link #vectorCandidates} then {@link #load}.
   *
   * @return hits by descending cosine similarity
   */
  default List<Hit> vector(float[] vector, Map<String, String> filters, int k) {
    return load(vectorCandidates(vector, filters, k));
  }

  @Override
  void close();
}
