package dev.ragtime.embed;

import java.io.IOException;
import java.util.Collection;
import java.util.Map;

/**
 * The persistent tier of the embedding pipeline's vector cache: content-addressed entries (key →
 * vector) that outlive the process. The embedded default keeps them in a small Lucene index beside
 * the collections; a shared store (PostgreSQL) keeps them in the database, so every node of a
 * deployment reuses every other node's vectors.
 *
 * <p>Keys are hex SHA-256 content addresses that already include the model's namespace (see the
 * pipeline's design note), so one store may hold several models' vectors without collisions. A key
 * always maps to the vector of exactly that text under that model; a second write of a key replaces
 * the first (a remote model whose dimension changed behind its name).
 *
 * <p>The pipeline calls {@link #putAll} from a single writer task, behind callers' backs, and
 * treats every {@link RuntimeException} of {@link #getAll} as a miss and of {@link #putAll} as lost
 * entries (counted and warned about once): an implementation need not retry.
 *
 * <p>Implementations are thread-safe: lookups run on callers' threads while the writer writes.
 */
public interface PersistentVectorCache extends AutoCloseable {

  /**
   * The entries present among {@code keys}; absent or unreadable entries are simply missing.
   *
   * @throws RuntimeException if the store cannot be read at all (the pipeline counts a miss)
   */
  Map<String, float[]> getAll(Collection<String> keys);

  /**
   * Adds (or replaces) entries. They are visible to {@link #getAll} when this returns and durable
   * after the next {@link #commit()} at the latest.
   *
   * @throws RuntimeException if they cannot be written (the pipeline counts lost entries)
   */
  void putAll(Map<String, float[]> entries);

  /** Makes every entry written so far durable (a no-op for a store that is durable per write). */
  void commit();

  /** Commits and releases the store. */
  @Override
  void close();

  /**
   * Opens the persistent tier for one model. The pipeline calls it once, when it is built; a
   * failure leaves the pipeline with its memory tier only (and a warning).
   */
  @FunctionalInterface
  interface Opener {
    /**
     * @param modelId the model's id, readable (for naming a folder, say)
     * @param namespace everything that identifies the model's vectors (id, variant, input limit,
     *     output size); every key the pipeline uses with this store was derived from it
     */
    PersistentVectorCache open(String modelId, String namespace) throws IOException;
  }
}
