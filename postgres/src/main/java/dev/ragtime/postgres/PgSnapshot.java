package dev.ragtime.postgres;

import com.pgvector.PGvector;
import dev.ragtime.embed.ModelInfo;
import dev.ragtime.index.Candidate;
import dev.ragtime.index.CollectionNotFoundException;
import dev.ragtime.index.Hit;
import dev.ragtime.index.IndexSnapshot;
import dev.ragtime.index.IndexVectors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A point-in-time view of one PostgreSQL collection: a pooled connection in a REPEATABLE READ,
 * read-only transaction, begun by reading the collection's counters (which fixes the snapshot),
 * rolled back and returned to the pool on {@link #close}. {@link Candidate#ref} is the chunk's row
 * id.
 *
 * <p>Vector search sets, for its statement only ({@code SET LOCAL}), {@code hnsw.ef_search} to
 * {@code max(minEfSearch, k)} and {@code hnsw.iterative_scan = relaxed_order}: with a metadata
 * filter, pgvector's HNSW scan then keeps going (up to {@code hnsw.max_scan_tuples}, 20,000 by
 * default) until k rows pass the filter, instead of filtering one ef_search-sized list and
 * returning fewer. Relaxed order may return rows slightly out of order, so the outer query sorts
 * them again by distance.
 *
 * <p>Thread-safe: calls take turns on the one connection. Closing is idempotent.
 */
final class PgSnapshot implements IndexSnapshot {
  /** Distinct query lexemes kept, like Lucene's query builder; a pasted page still searches. */
  static final int MAX_TERMS = 512;

  private final Connection connection;
  private final String collection;
  private final long id;
  private final ModelInfo model;
  private final PgIndex.Options options;
  private final long chunks;
  private final double averageLength;
  private final ReentrantLock lock = new ReentrantLock();
  private final AtomicBoolean closed = new AtomicBoolean();

  private PgSnapshot(
      Connection connection,
      String collection,
      long id,
      ModelInfo model,
      PgIndex.Options options,
      long chunks,
      double averageLength) {
    this.connection = connection;
    this.collection = collection;
    this.id = id;
    this.model = model;
    this.options = options;
    this.chunks = chunks;
    this.averageLength = averageLength;
  }

  /**
   * Takes a connection and begins the snapshot.
   *
   * @throws CollectionNotFoundException if the collection was dropped
   */
  static PgSnapshot open(
      PgDatabase database, String collection, long id, ModelInfo model, PgIndex.Options options)
      throws SQLException {
    Connection c = database.connection();
    try {
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      c.setReadOnly(true);
      try (PreparedStatement ps =
          c.prepareStatement("SELECT chunks, total_length FROM collections WHERE id = ?")) {
        ps.setLong(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            throw new CollectionNotFoundException(collection);
          }
          long chunks = rs.getLong(1);
          double average = chunks == 0 ? 1 : (double) rs.getLong(2) / chunks;
          return new PgSnapshot(c, collection, id, model, options, chunks, average);
        }
      }
    } catch (SQLException | RuntimeException e) {
      release(c);
      throw e;
    }
  }

  @Override
  public List<Candidate> lexicalCandidates(String query, Map<String, String> filters, int k) {
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(filters, "filters");
    checkK(k);
    // The query's distinct lexemes (at most MAX_TERMS, the first in the text) with their counts;
    // a chunk matches when it holds any of them. BM25 sums, over the query lexemes a chunk holds,
    // qtf · idf · tf / (tf + k1·(1 − b + b·length/avgLength)), Lucene's formula (which leaves out
    // the constant factor k1 + 1), idf = ln(1 + (N − df + 0.5) / (df + 0.5)). Every chunk holding
    // a query lexeme is a match, so the document frequencies are counted on the matches of one
    // GIN scan, before the metadata filter (like Lucene's, they are the collection's).
    String terms =
        "WITH terms AS (SELECT t.lexeme, cardinality(t.positions) AS qtf"
            + " FROM unnest(to_tsvector('english', ?)) AS t ORDER BY t.positions[1] LIMIT "
            + MAX_TERMS
            + "), q AS (SELECT string_agg(lexeme_query(lexeme)::text, ' | ')::tsquery AS q"
            + " FROM terms)";
    String filter = filters.isEmpty() ? "" : " AND c.metadata @> ?::jsonb";
    String sql =
        switch (options.lexical()) {
          case TS_RANK_CD ->
              terms
                  + " SELECT c.id, c.doc_id, c.chunk_id, ts_rank_cd(c.tsv, q.q, 1)::real AS score"
                  + " FROM chunks c, q WHERE c.collection_id = "
                  + id
                  + " AND c.tsv @@ q.q"
                  + filter
                  + " ORDER BY score DESC, c.id LIMIT ?";
          case BM25 ->
              terms
                  + ", c AS MATERIALIZED (SELECT c.id, c.doc_id, c.chunk_id, c.length, c.tsv,"
                  + " c.metadata FROM chunks c, q WHERE c.collection_id = "
                  + id
                  + " AND c.tsv @@ q.q),"
                  + " tf AS (SELECT c.id, x.lexeme, cardinality(x.positions) AS tf"
                  + " FROM c CROSS JOIN LATERAL unnest(c.tsv) AS x"
                  + " WHERE x.lexeme IN (SELECT lexeme FROM terms)),"
                  + " w AS (SELECT tf.lexeme, t.qtf * ln(1 + (?::float8 - count(*) + 0.5)"
                  + " / (count(*) + 0.5)) AS weight FROM tf JOIN terms t USING (lexeme)"
                  + " GROUP BY tf.lexeme, t.qtf)"
                  + " SELECT c.id, c.doc_id, c.chunk_id, sum(w.weight * tf.tf / (tf.tf"
                  + " + ?::float8 * (1 - ?::float8 + ?::float8 * c.length / ?::float8)))::real"
                  + " AS score FROM c JOIN tf ON tf.id = c.id JOIN w ON w.lexeme = tf.lexeme"
                  + " WHERE true"
                  + filter
                  + " GROUP BY c.id, c.doc_id, c.chunk_id ORDER BY score DESC, c.id LIMIT ?";
        };
    return candidates(
        sql,
        ps -> {
          int p = 1;
          ps.setString(p++, query);
          if (options.lexical() == LexicalRanking.BM25) {
            ps.setDouble(p++, chunks);
            ps.setDouble(p++, options.k1());
            ps.setDouble(p++, options.b());
            ps.setDouble(p++, options.b());
            ps.setDouble(p++, averageLength);
          }
          if (!filters.isEmpty()) {
            ps.setString(p++, PgIndex.json(filters));
          }
          ps.setInt(p, k);
        },
        false);
  }

  @Override
  public List<Candidate> vectorCandidates(float[] vector, Map<String, String> filters, int k) {
    Objects.requireNonNull(vector, "vector");
    Objects.requireNonNull(filters, "filters");
    checkK(k);
    IndexVectors.check("the query", vector, model);
    String sql = vectorSql(filters);
    lock.lock();
    try {
      ensureOpen();
      try (PreparedStatement ps =
          connection.prepareStatement(
              "SELECT set_config('hnsw.ef_search', ?, true),"
                  + " set_config('hnsw.iterative_scan', 'relaxed_order', true)")) {
        ps.setString(1, Integer.toString(Math.min(1000, Math.max(options.minEfSearch(), k))));
        ps.executeQuery().close();
      } catch (SQLException e) {
        throw PgCollections.failed("searching collection '" + collection + "'", e);
      }
      return candidates(sql, ps -> bindVector(ps, vector, filters, k), true);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public List<Hit> load(List<Candidate> candidates) {
    List<Candidate> wanted = List.copyOf(candidates);
    if (wanted.isEmpty()) {
      ensureOpen();
      return List.of();
    }
    Long[] refs = wanted.stream().map(Candidate::ref).toArray(Long[]::new);
    lock.lock();
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT id, doc_id, chunk_id, text, metadata::text FROM chunks"
                + " WHERE collection_id = ? AND id = ANY (?)")) {
      ensureOpen();
      ps.setLong(1, id);
      ps.setArray(2, connection.createArrayOf("bigint", refs));
      Map<Long, Hit> rows = new HashMap<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.put(
              rs.getLong(1),
              new Hit(
                  rs.getString(2), rs.getString(3), 0f, rs.getString(4), PgIndex.metadata(rs, 5)));
        }
      }
      List<Hit> hits = new ArrayList<>(wanted.size());
      for (Candidate c : wanted) {
        Hit row = rows.get(c.ref());
        if (row == null || !row.chunkId().equals(c.chunkId())) {
          throw new IllegalArgumentException(
              "candidate "
                  + c
                  + " was not produced by this snapshot of collection '"
                  + collection
                  + "'");
        }
        hits.add(row.withScore(c.score()));
      }
      return List.copyOf(hits);
    } catch (SQLException e) {
      throw PgCollections.failed("reading chunks of collection '" + collection + "'", e);
    } finally {
      lock.unlock();
    }
  }

  /** Ends the transaction and returns the connection to the pool. Idempotent. */
  @Override
  public void close() {
    lock.lock();
    try {
      if (closed.compareAndSet(false, true)) {
        release(connection);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * The plan PostgreSQL chooses for {@link #vectorCandidates} with these arguments, one line per
   * element, for tests that check the collection's HNSW index is used.
   */
  List<String> vectorPlan(float[] vector, Map<String, String> filters, int k) {
    lock.lock();
    try (PreparedStatement ps = connection.prepareStatement("EXPLAIN " + vectorSql(filters))) {
      bindVector(ps, vector, filters, k);
      List<String> lines = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          lines.add(rs.getString(1));
        }
      }
      return lines;
    } catch (SQLException e) {
      throw PgCollections.failed("explaining a search of '" + collection + "'", e);
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * The nearest {@code k} chunks passing the filters, re-sorted (relaxed order). The cast and the
   * collection id are literals: that is what the collection's partial HNSW index is defined on (see
   * {@link PgCollections}), and the planner matches it only against constants.
   */
  private String vectorSql(Map<String, String> filters) {
    String cast = "::vector(" + model.dimension() + ")";
    return "SELECT id, doc_id, chunk_id, (1 - distance)::real FROM (SELECT id, doc_id, chunk_id,"
        + " embedding"
        + cast
        + " <=> ?"
        + cast
        + " AS distance FROM chunks WHERE collection_id = "
        + id
        + (filters.isEmpty() ? "" : " AND metadata @> ?::jsonb")
        + " ORDER BY distance LIMIT ?) nearest ORDER BY distance, id";
  }

  private static void bindVector(
      PreparedStatement ps, float[] vector, Map<String, String> filters, int k)
      throws SQLException {
    int p = 1;
    ps.setObject(p++, new PGvector(vector));
    if (!filters.isEmpty()) {
      ps.setString(p++, PgIndex.json(filters));
    }
    ps.setInt(p, k);
  }

  @FunctionalInterface
  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  private List<Candidate> candidates(String sql, Binder binder, boolean vector) {
    lock.lock();
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      ensureOpen();
      binder.bind(ps);
      List<Candidate> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Candidate(rs.getString(2), rs.getString(3), rs.getFloat(4), rs.getLong(1)));
        }
      }
      return List.copyOf(out);
    } catch (SQLException e) {
      throw PgCollections.failed(
          (vector ? "vector" : "lexical") + " search of collection '" + collection + "'", e);
    } finally {
      lock.unlock();
    }
  }

  private static void release(Connection c) {
    try (c) {
      c.rollback();
    } catch (SQLException e) {
      // The pool discards a connection that fails; nothing was written through it.
    }
  }

  private static void checkK(int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be positive, was " + k);
    }
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("snapshot of collection '" + collection + "' is closed");
    }
  }
}
