package dev.ragtime.postgres;

import dev.ragtime.embed.ModelInfo;
import dev.ragtime.index.CollectionNotFoundException;
import dev.ragtime.index.Index;
import dev.ragtime.index.IndexStats;
import dev.ragtime.index.IndexStore;
import dev.ragtime.index.ModelMismatchException;
import dev.ragtime.index.SearchableIndex;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The shared store: every collection in one PostgreSQL database (tables {@code collections}, {@code
 * documents}, {@code chunks}; see {@code V2__index.sql}). Any number of nodes may open the same
 * collection at once, for reading and writing: the database serialises what must be serialised (see
 * {@link PgIndex}).
 *
 * <p>Vectors: pgvector's HNSW index needs a fixed dimension, and collections differ in dimension,
 * so the {@code embedding} column has none and each collection gets its own partial expression
 * index, created with the collection in the same transaction: {@code USING hnsw
 * ((embedding::vector(D)) vector_cosine_ops) WHERE collection_id = N}. A query uses it when it
 * names the same cast and the collection id as a literal (see {@link PgSnapshot}). One table keeps
 * the schema static (Flyway-managed) and a drop one {@code DELETE}; the cost is that creating a
 * collection briefly blocks writes to the others while the empty index is built (it scans the
 * table), which is why collections are expected to be created rarely.
 *
 * <p>Collection names follow {@link IndexStore#validateName}. Thread-safe; borrows the {@link
 * PgDatabase}, which the caller closes after every index opened here is closed.
 */
public final class PgCollections implements IndexStore {
  /** pgvector's HNSW index takes {@code vector} columns of at most this many dimensions. */
  public static final int MAX_DIMENSION = 2000;

  private final PgDatabase database;
  private final PgIndex.Options options;

  private PgCollections(PgDatabase database, PgIndex.Options options) {
    this.database = database;
    this.options = options;
  }

  /** The collections in {@code database}, searched with {@link PgIndex.Options#DEFAULT}. */
  public static PgCollections on(PgDatabase database) {
    return on(database, PgIndex.Options.DEFAULT);
  }

  /**
   * The collections in {@code database}, with lexical candidates ranked by {@code ranking} (for
   * measuring one against the other; {@link #on(PgDatabase)} uses {@link LexicalRanking#BM25}).
   */
  public static PgCollections on(PgDatabase database, LexicalRanking ranking) {
    return on(database, PgIndex.Options.DEFAULT.withLexical(ranking));
  }

  /** The collections in {@code database}, searched with {@code options}. */
  static PgCollections on(PgDatabase database, PgIndex.Options options) {
    return new PgCollections(
        Objects.requireNonNull(database, "database"), Objects.requireNonNull(options, "options"));
  }

  /**
   * Opens a collection for reading and writing, creating it (recording {@code model}) if it does
   * not exist.
   *
   * @throws ModelMismatchException if the collection was built with an incompatible model
   * @throws IllegalArgumentException if the name is invalid or the model's dimension exceeds {@link
   *     #MAX_DIMENSION}
   * @throws StoreException if the database fails
   */
  @Override
  public Index open(String collection, ModelInfo model) {
    IndexStore.validateName(collection);
    Objects.requireNonNull(model, "model");
    if (model.dimension() > MAX_DIMENSION) {
      throw new IllegalArgumentException(
          "the PostgreSQL store indexes vectors of at most "
              + MAX_DIMENSION
              + " dimensions (pgvector's HNSW limit), but "
              + model
              + " has "
              + model.dimension());
    }
    try (Connection c = database.connection()) {
      c.setAutoCommit(false);
      try {
        long id;
        Optional<Long> created = insert(c, collection, model);
        if (created.isPresent()) {
          id = created.get();
          try (Statement s = c.createStatement()) {
            s.execute(
                "CREATE INDEX "
                    + hnswIndexName(id)
                    + " ON chunks USING hnsw ((embedding::vector("
                    + model.dimension()
                    + ")) vector_cosine_ops) WITH (m = 16, ef_construction = 100) WHERE"
                    + " collection_id = "
                    + id);
          }
        } else {
          Row row =
              row(c, collection)
                  .orElseThrow(() -> new CollectionNotFoundException(collection)); // dropped
          if (!row.model.compatibleWith(model)) {
            throw new ModelMismatchException(
                collection, row.model, model, reindexAdvice(collection));
          }
          id = row.id;
        }
        c.commit();
        return new PgIndex(database, collection, id, model, options);
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw failed("opening collection '" + collection + "'", e);
    }
  }

  /**
   * Opens an existing collection with the model it records.
   *
   * @throws CollectionNotFoundException if there is no such collection
   */
  @Override
  public Index openExisting(String collection) {
    ModelInfo recorded =
        recordedModel(collection).orElseThrow(() -> new CollectionNotFoundException(collection));
    return open(collection, recorded);
  }

  /**
   * Opens an existing collection for searching. In PostgreSQL reading and writing need no different
   * locks, so this is the collection's index seen through its read side; it creates nothing.
   *
   * @throws CollectionNotFoundException if there is no such collection
   * @throws ModelMismatchException if the collection was built with an incompatible model
   */
  @Override
  public SearchableIndex openReadOnly(String collection, ModelInfo model) {
    Objects.requireNonNull(model, "model");
    ModelInfo recorded =
        recordedModel(collection).orElseThrow(() -> new CollectionNotFoundException(collection));
    if (!recorded.compatibleWith(model)) {
      throw new ModelMismatchException(collection, recorded, model, reindexAdvice(collection));
    }
    return open(collection, recorded);
  }

  /** Whether the collection exists. */
  @Override
  public boolean exists(String collection) {
    return recordedModel(collection).isPresent();
  }

  /** Names of the existing collections, sorted. */
  @Override
  public List<String> names() {
    try (Connection c = database.connection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT name FROM collections ORDER BY name COLLATE \"C\"")) {
      List<String> names = new ArrayList<>();
      while (rs.next()) {
        names.add(rs.getString(1));
      }
      return List.copyOf(names);
    } catch (SQLException e) {
      throw failed("listing collections", e);
    }
  }

  /** The embedding model the collection records, or empty if it does not exist. */
  @Override
  public Optional<ModelInfo> recordedModel(String collection) {
    IndexStore.validateName(collection);
    try (Connection c = database.connection()) {
      return row(c, collection).map(r -> r.model);
    } catch (SQLException e) {
      throw failed("reading collection '" + collection + "'", e);
    }
  }

  /**
   * Document and chunk counts.
   *
   * @throws CollectionNotFoundException if there is no such collection
   */
  @Override
  public IndexStats stats(String collection) {
    IndexStore.validateName(collection);
    try (Connection c = database.connection()) {
      return row(c, collection)
          .map(r -> r.stats)
          .orElseThrow(() -> new CollectionNotFoundException(collection));
    } catch (SQLException e) {
      throw failed("reading collection '" + collection + "'", e);
    }
  }

  /**
   * Deletes a collection, its documents, chunks and vector index, in one transaction. Indexes that
   * other nodes still have open on it fail from then on with {@link CollectionNotFoundException};
   * snapshots taken before keep their view until closed.
   *
   * @return false if there was no such collection
   */
  @Override
  public boolean drop(String collection) {
    IndexStore.validateName(collection);
    try (Connection c = database.connection()) {
      c.setAutoCommit(false);
      try {
        Optional<Long> id = Optional.empty();
        try (PreparedStatement ps =
            c.prepareStatement("DELETE FROM collections WHERE name = ? RETURNING id")) {
          ps.setString(1, collection);
          try (ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
              id = Optional.of(rs.getLong(1));
            }
          }
        }
        if (id.isPresent()) {
          try (Statement s = c.createStatement()) {
            s.execute("DROP INDEX IF EXISTS " + hnswIndexName(id.get()));
          }
        }
        c.commit();
        return id.isPresent();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw failed("dropping collection '" + collection + "'", e);
    }
  }

  @Override
  public String toString() {
    return "PgCollections[" + database + "]";
  }

  // ---------------------------------------------------------------------------------------------

  /** The catalog row of a collection. */
  private record Row(long id, ModelInfo model, IndexStats stats) {}

  /** Inserts the catalog row; empty if the collection exists (waits for a concurrent creator). */
  private static Optional<Long> insert(Connection c, String collection, ModelInfo model)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO collections (name, model_id, dimension, max_tokens, variant)"
                + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING RETURNING id")) {
      ps.setString(1, collection);
      ps.setString(2, model.id());
      ps.setInt(3, model.dimension());
      ps.setInt(4, model.maxTokens());
      ps.setString(5, model.variant());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
      }
    }
  }

  private static Optional<Row> row(Connection c, String collection) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT id, model_id, dimension, max_tokens, variant, documents, chunks"
                + " FROM collections WHERE name = ?")) {
      ps.setString(1, collection);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new Row(
                rs.getLong(1),
                new ModelInfo(rs.getString(2), rs.getInt(3), rs.getInt(4), rs.getString(5)),
                new IndexStats(rs.getLong(6), rs.getLong(7))));
      }
    }
  }

  /**
   * How to re-index a collection of the database with another model (see {@link
   * SearchableIndex#reindexAdvice()}): drop it where every node sees the drop, through the service,
   * and ingest again. Deleting its rows by hand would leave its vector index behind.
   */
  static String reindexAdvice(String collection) {
    return "drop the collection from the PostgreSQL store (DELETE /v1/collections/"
        + collection
        + " on any `ragtime serve` node using it) and ingest again";
  }

  /** The name of a collection's HNSW index (schema-qualified through the search path). */
  static String hnswIndexName(long collectionId) {
    return "chunks_hnsw_" + collectionId;
  }

  static StoreException failed(String what, SQLException e) {
    return new StoreException(what + " failed: " + PgDatabase.rootMessage(e), e);
  }
}
