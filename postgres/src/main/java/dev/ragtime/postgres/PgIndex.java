package dev.ragtime.postgres;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.pgvector.PGvector;
import dev.ragtime.embed.ModelInfo;
import dev.ragtime.index.CollectionNotFoundException;
import dev.ragtime.index.DocumentWrite;
import dev.ragtime.index.Hit;
import dev.ragtime.index.Index;
import dev.ragtime.index.IndexSnapshot;
import dev.ragtime.index.IndexStats;
import dev.ragtime.index.IndexVectors;
import dev.ragtime.index.IndexedChunk;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One collection in the PostgreSQL store (see {@link PgCollections} for the tables).
 *
 * <p>Writes: a batch is one transaction (READ COMMITTED). Per document, in document-id order, it
 * first upserts the document row, which locks it, so a writer on another node that writes the same
 * document waits for this one and then replaces its chunks rather than adding to them; then it
 * deletes the document's chunks and inserts the new ones. The collection's counters are updated
 * last, so every writer takes its locks in the same order (documents by id, then the collection)
 * and concurrent batches never deadlock. The commit makes the batch durable and visible at once.
 *
 * <p>Reads: {@link #snapshot} holds one pooled connection in a REPEATABLE READ read-only
 * transaction until it is closed, so every search through it sees one committed state; the other
 * reads are single statements.
 *
 * <p>Thread-safe. Does not own the {@link PgDatabase}; closing only stops further use.
 */
final class PgIndex implements Index {
  static final ObjectMapper JSON = JsonMapper.builder().build();

  /**
   * How a PostgreSQL index searches.
   *
   * @param lexical how lexical candidates are scored
   * @param k1 BM25 term-frequency saturation, in [0, 3] (Lucene's default 1.2)
   * @param b BM25 length normalisation, in [0, 1] (Lucene's default 0.75)
   * @param minEfSearch the least HNSW candidate list ({@code hnsw.ef_search}) of a vector search,
   *     in [1, 1000]; a search for k uses {@code max(minEfSearch, k)} capped at 1000
   */
  record Options(LexicalRanking lexical, double k1, double b, int minEfSearch) {
    static final Options DEFAULT = new Options(LexicalRanking.BM25, 1.2, 0.75, 100);

    Options {
      Objects.requireNonNull(lexical, "lexical");
      if (!(k1 >= 0 && k1 <= 3)) {
        throw new IllegalArgumentException("k1 must be in [0, 3], was " + k1);
      }
      if (!(b >= 0 && b <= 1)) {
        throw new IllegalArgumentException("b must be in [0, 1], was " + b);
      }
      if (minEfSearch < 1 || minEfSearch > 1000) {
        throw new IllegalArgumentException("minEfSearch must be in [1, 1000], was " + minEfSearch);
      }
    }

    Options withLexical(LexicalRanking ranking) {
      return new Options(ranking, k1, b, minEfSearch);
    }
  }

  private final PgDatabase database;
  private final String collection;
  private final long id;
  private final ModelInfo model;
  private final Options options;
  private final AtomicBoolean closed = new AtomicBoolean();

  PgIndex(PgDatabase database, String collection, long id, ModelInfo model, Options options) {
    this.database = database;
    this.collection = collection;
    this.id = id;
    this.model = model;
    this.options = options;
  }

  @Override
  public String name() {
    return collection;
  }

  @Override
  public ModelInfo model() {
    return model;
  }

  @Override
  public String reindexAdvice() {
    return PgCollections.reindexAdvice(collection);
  }

  @Override
  public IndexSnapshot snapshot() {
    ensureOpen();
    try {
      return PgSnapshot.open(database, collection, id, model, options);
    } catch (SQLException e) {
      throw PgCollections.failed("opening a snapshot of '" + collection + "'", e);
    }
  }

  @Override
  public Optional<String> contentHash(String docId) {
    Objects.requireNonNull(docId, "docId");
    ensureOpen();
    return query(
        "SELECT content_hash FROM documents WHERE collection_id = ? AND doc_id = ?",
        ps -> ps.setString(2, docId),
        rs -> rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty());
  }

  @Override
  public List<Hit> chunks(String docId) {
    Objects.requireNonNull(docId, "docId");
    ensureOpen();
    return query(
        "SELECT doc_id, chunk_id, text, metadata::text FROM chunks"
            + " WHERE collection_id = ? AND doc_id = ? ORDER BY ordinal, id",
        ps -> ps.setString(2, docId),
        rs -> {
          List<Hit> hits = new ArrayList<>();
          while (rs.next()) {
            hits.add(
                new Hit(rs.getString(1), rs.getString(2), 0f, rs.getString(3), metadata(rs, 4)));
          }
          return List.copyOf(hits);
        });
  }

  @Override
  public Set<String> documentIds() {
    ensureOpen();
    return query(
        "SELECT doc_id FROM documents WHERE collection_id = ?",
        ps -> {},
        rs -> {
          Set<String> ids = new HashSet<>();
          while (rs.next()) {
            ids.add(rs.getString(1));
          }
          return Set.copyOf(ids);
        });
  }

  @Override
  public IndexStats stats() {
    ensureOpen();
    return query(
        "SELECT documents, chunks FROM collections WHERE id = ?",
        ps -> {},
        rs -> {
          if (!rs.next()) {
            throw new CollectionNotFoundException(collection);
          }
          return new IndexStats(rs.getLong(1), rs.getLong(2));
        });
  }

  /**
   * {@inheritDoc}
   *
   * <p>Here the whole batch is one transaction: durable and visible at once, or (on failure) not at
   * all. Every chunk is validated before anything is written. A document id repeated in the batch
   * ends up with its last version.
   */
  @Override
  public void write(List<DocumentWrite> documents) {
    List<DocumentWrite> batch = List.copyOf(documents);
    ensureOpen();
    validate(batch);
    if (batch.isEmpty()) {
      return;
    }
    // The last version of each document, in id order (the lock order, see the class comment).
    Map<String, DocumentWrite> byId = new TreeMap<>();
    for (DocumentWrite d : batch) {
      byId.put(d.docId(), d);
    }
    transaction(
        "writing " + byId.size() + " documents",
        c -> {
          long newDocuments = 0;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO documents (collection_id, doc_id, content_hash) VALUES (?, ?, ?)"
                      + " ON CONFLICT (collection_id, doc_id) DO UPDATE"
                      + " SET content_hash = EXCLUDED.content_hash"
                      + " RETURNING (xmax = 0)")) {
            ps.setLong(1, id);
            for (DocumentWrite d : byId.values()) {
              ps.setString(2, d.docId());
              ps.setString(3, d.contentHash());
              try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getBoolean(1)) {
                  newDocuments++;
                }
              }
            }
          }
          Array ids = c.createArrayOf("text", byId.keySet().toArray());
          long[] removed = removeChunks(c, ids);
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO chunks"
                      + " (collection_id, doc_id, chunk_id, ordinal, text, context, metadata,"
                      + " embedding) VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?)")) {
            ps.setLong(1, id);
            for (DocumentWrite d : byId.values()) {
              for (IndexedChunk chunk : d.chunks()) {
                ps.setString(2, d.docId());
                ps.setString(3, chunk.chunkId());
                ps.setInt(4, chunk.position());
                ps.setString(5, chunk.text());
                ps.setString(6, chunk.context());
                ps.setString(7, json(chunk.metadata()));
                ps.setObject(8, new PGvector(chunk.vector()));
                ps.addBatch();
              }
            }
            ps.executeBatch();
          }
          long[] added;
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT count(*), coalesce(sum(length), 0) FROM chunks"
                      + " WHERE collection_id = ? AND doc_id = ANY (?)")) {
            ps.setLong(1, id);
            ps.setArray(2, ids);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              added = new long[] {rs.getLong(1), rs.getLong(2)};
            }
          }
          count(c, newDocuments, added[0] - removed[0], added[1] - removed[1]);
          return null;
        });
  }

  @Override
  public Set<String> delete(Set<String> docIds) {
    Set<String> wanted = Set.copyOf(docIds);
    ensureOpen();
    if (wanted.isEmpty()) {
      return Set.of();
    }
    return transaction(
        "deleting " + wanted.size() + " documents",
        c -> {
          Array ids = c.createArrayOf("text", wanted.toArray());
          Set<String> present = new LinkedHashSet<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT doc_id FROM documents WHERE collection_id = ? AND doc_id = ANY (?)"
                      + " ORDER BY doc_id FOR UPDATE")) {
            ps.setLong(1, id);
            ps.setArray(2, ids);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                present.add(rs.getString(1));
              }
            }
          }
          if (present.isEmpty()) {
            return Set.<String>of();
          }
          long[] removed = removeChunks(c, ids);
          try (PreparedStatement ps =
              c.prepareStatement(
                  "DELETE FROM documents WHERE collection_id = ? AND doc_id = ANY (?)")) {
            ps.setLong(1, id);
            ps.setArray(2, ids);
            ps.executeUpdate();
          }
          count(c, -present.size(), -removed[0], -removed[1]);
          return Set.copyOf(present);
        });
  }

  /** Stops further use. Snapshots taken before must be closed by their holders. Idempotent. */
  @Override
  public void close() {
    closed.set(true);
  }

  @Override
  public String toString() {
    return "PgIndex[" + collection + ", " + model + "]";
  }

  // ---------------------------------------------------------------------------------------------

  /** Deletes the chunks of the documents {@code ids}; returns {count, total length}. */
  private long[] removeChunks(Connection c, Array ids) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "WITH gone AS (DELETE FROM chunks WHERE collection_id = ? AND doc_id = ANY (?)"
                + " RETURNING length) SELECT count(*), coalesce(sum(length), 0) FROM gone")) {
      ps.setLong(1, id);
      ps.setArray(2, ids);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new long[] {rs.getLong(1), rs.getLong(2)};
      }
    }
  }

  /** Adds to the collection's counters; the collection row is the last lock a writer takes. */
  private void count(Connection c, long documents, long chunks, long length) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE collections SET documents = documents + ?, chunks = chunks + ?,"
                + " total_length = total_length + ? WHERE id = ?")) {
      ps.setLong(1, documents);
      ps.setLong(2, chunks);
      ps.setLong(3, length);
      ps.setLong(4, id);
      if (ps.executeUpdate() == 0) {
        throw new CollectionNotFoundException(collection);
      }
    }
  }

  /**
   * Checks every document of a batch before anything is written, so that a bad chunk rejects the
   * whole batch.
   */
  private void validate(List<DocumentWrite> batch) {
    for (DocumentWrite document : batch) {
      checkText("docId", document.docId());
      checkText("content hash of document '" + document.docId() + "'", document.contentHash());
      Set<String> chunkIds = new HashSet<>();
      for (IndexedChunk chunk : document.chunks()) {
        String where = "document '" + document.docId() + "' chunk '" + chunk.chunkId() + "'";
        if (!chunkIds.add(chunk.chunkId())) {
          throw new IllegalArgumentException(where + " appears twice");
        }
        IndexVectors.check(where, chunk.vector(), model);
        checkText("chunkId of " + where, chunk.chunkId());
        checkText("text of " + where, chunk.text());
        checkText("context of " + where, chunk.context());
        for (Map.Entry<String, String> e : chunk.metadata().entrySet()) {
          if (e.getKey().isEmpty()) {
            throw new IllegalArgumentException(where + " has an empty metadata key");
          }
          checkText("metadata key of " + where, e.getKey());
          checkText("metadata '" + e.getKey() + "' of " + where, e.getValue());
        }
      }
    }
  }

  /** PostgreSQL text cannot hold the character U+0000. */
  private static void checkText(String what, String value) {
    if (value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(
          what + " contains the character U+0000, which PostgreSQL cannot store; remove it");
    }
  }

  static String json(Map<String, String> metadata) {
    try {
      return JSON.writeValueAsString(new TreeMap<>(metadata));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("metadata cannot be written as JSON", e);
    }
  }

  /** The metadata in column {@code column}: a JSON object of strings. */
  static Map<String, String> metadata(ResultSet rs, int column) throws SQLException {
    String text = rs.getString(column);
    try {
      Map<String, String> map = new LinkedHashMap<>();
      JSON.readTree(text).properties().forEach(e -> map.put(e.getKey(), e.getValue().asText()));
      return map;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored metadata is not JSON: " + text, e);
    }
  }

  @FunctionalInterface
  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  @FunctionalInterface
  interface Reader<T> {
    T read(ResultSet rs) throws SQLException;
  }

  @FunctionalInterface
  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /** One statement whose first parameter is the collection id. */
  private <T> T query(String sql, Binder binder, Reader<T> reader) {
    try (Connection c = database.connection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, id);
      binder.bind(ps);
      try (ResultSet rs = ps.executeQuery()) {
        return reader.read(rs);
      }
    } catch (SQLException e) {
      throw PgCollections.failed("reading collection '" + collection + "'", e);
    }
  }

  /** Runs {@code work} in one transaction, committed if it returns, rolled back if it throws. */
  private <T> T transaction(String what, Work<T> work) {
    try (Connection c = database.connection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        if (e instanceof SQLException sql && "23503".equals(sql.getSQLState())) {
          // foreign_key_violation: the collection row is gone, dropped by another node.
          throw new CollectionNotFoundException(collection);
        }
        throw e;
      }
    } catch (SQLException e) {
      throw PgCollections.failed(what + " in collection '" + collection + "'", e);
    }
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("collection '" + collection + "' is closed");
    }
  }
}
