package dev.ragtime.postgres.cache;

import dev.ragtime.embed.PersistentVectorCache;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * The embedding pipeline's persistent cache tier in PostgreSQL (table {@code
 * ragtime.embedding_cache}, migration {@code V4__embedding_cache.sql}): every node and worker on
 * one database reads and writes the same entries, so a text one of them embedded is never embedded
 * again by another.
 *
 * <p>Each {@link #putAll} is one transaction (durable when it returns; {@link #commit()} has
 * nothing to do). Rows are written in key order, so two nodes writing overlapping batches take
 * their row locks in the same order and cannot deadlock. A key written again with another vector (a
 * remote model whose dimension changed behind its name) is replaced; the same vector again changes
 * nothing.
 *
 * <p>Errors are thrown as {@link IllegalStateException}; the pipeline treats them as misses and
 * lost entries (see {@link PersistentVectorCache}). Thread-safe: each call borrows a connection
 * from the pool, so the pool's size bounds the concurrent lookups. Closing releases nothing: the
 * pool belongs to whoever opened the database.
 */
public final class PgVectorCache implements PersistentVectorCache {
  private static final String SELECT =
      "SELECT key, vector FROM ragtime.embedding_cache WHERE key = ANY (?)";
  private static final String UPSERT =
      "INSERT INTO ragtime.embedding_cache (key, namespace, vector) VALUES (?, ?, ?)"
          + " ON CONFLICT (key) DO UPDATE SET vector = EXCLUDED.vector"
          + " WHERE ragtime.embedding_cache.vector <> EXCLUDED.vector";

  private final DataSource dataSource;
  private final String namespace;

  private PgVectorCache(DataSource dataSource, String namespace) {
    this.dataSource = dataSource;
    this.namespace = namespace;
  }

  /** Opens the tier of each model the pipeline asks for, in the database behind {@code pool}. */
  public static PersistentVectorCache.Opener opener(DataSource pool) {
    Objects.requireNonNull(pool, "pool");
    return (modelId, namespace) -> new PgVectorCache(pool, namespace);
  }

  @Override
  public Map<String, float[]> getAll(Collection<String> keys) {
    Map<String, float[]> found = new HashMap<>();
    if (keys.isEmpty()) {
      return found;
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement select = c.prepareStatement(SELECT)) {
      Array array = c.createArrayOf("text", keys.toArray());
      select.setArray(1, array);
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          float[] v = toFloats(rs.getArray(2));
          if (v != null) {
            found.put(rs.getString(1), v);
          }
        }
      }
      array.free();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the embedding cache: " + e.getMessage(), e);
    }
    return found;
  }

  @Override
  public void putAll(Map<String, float[]> entries) {
    if (entries.isEmpty()) {
      return;
    }
    try (Connection c = dataSource.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      try (PreparedStatement upsert = c.prepareStatement(UPSERT)) {
        for (Map.Entry<String, float[]> e : new TreeMap<>(entries).entrySet()) {
          upsert.setString(1, e.getKey());
          upsert.setString(2, namespace);
          upsert.setArray(3, c.createArrayOf("float4", boxed(e.getValue())));
          upsert.addBatch();
        }
        upsert.executeBatch();
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(autoCommit);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot write the embedding cache: " + e.getMessage(), e);
    }
  }

  /** Nothing to do: every {@link #putAll} committed its transaction. */
  @Override
  public void commit() {}

  /** Nothing to release: the pool is not this tier's. */
  @Override
  public void close() {}

  private static Float[] boxed(float[] v) {
    Float[] out = new Float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }

  /** The vector of a {@code real[]} value; null (a miss) if it is empty or holds a NULL. */
  private static float[] toFloats(Array array) throws SQLException {
    if (array == null) {
      return null;
    }
    Object[] values = (Object[]) array.getArray();
    if (values.length == 0) {
      return null;
    }
    float[] v = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      if (!(values[i] instanceof Number n)) {
        return null;
      }
      v[i] = n.floatValue();
    }
    return v;
  }

  @Override
  public String toString() {
    return "PgVectorCache[" + namespace + "]";
  }
}
