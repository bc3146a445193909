package dev.ragtime.index;

import java.util.List;
import java.util.Map;

/**
 * A consistent, read-only view of one collection at a point in time: every search through one
 * snapshot sees the same version of every document, so fusing lexical and vector results never
 * mixes an old and a new version. Not thread-safe for concurrent use by many threads only where an
 * implementation says so; must be closed (it pins index resources).
 */
public interface IndexSnapshot extends AutoCloseable {

  /**
   * BM25 over chunk text.
   *
   * @param query user query text (analysed like the indexed text; operators are not interpreted)
   * @param filters exact-match metadata filters, all of which must hold; empty for none
   * @param k maximum hits, positive
   * @return hits by descending BM25 score
   */
  List<Hit> lexical(String query, Map<String, String> filters, int k);

  /**
   * Approximate nearest neighbours by cosine similarity.
   *
   * @param vector L2-normalised query vector of the index's dimension
   * @param filters exact-match metadata filters; empty for none
   * @param k maximum hits, positive
   * @return hits by descending similarity
   */
  List<Hit> vector(float[] vector, Map<String, String> filters, int k);

  @Override
  void close();
}
