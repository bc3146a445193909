package dev.ragtime.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * One node's connection to the PostgreSQL store: a HikariCP pool, with the schema brought up to
 * date by Flyway when it opens. Every PostgreSQL part of a node (index, embedding cache, ingestion
 * queue) shares this one pool; the composition root opens it once.
 *
 * <p>All tables live in the schema {@value #SCHEMA}, which is the pool's search path, so one
 * database can hold Ragtime beside other applications. Thread-safe; close it once at shutdown.
 */
public final class PgDatabase implements AutoCloseable {
  /** The schema that holds every Ragtime table. */
  public static final String SCHEMA = "ragtime";

  /** How long a caller waits for a free pooled connection before failing with a clear error. */
  static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(10);

  private final PgSettings settings;
  private final HikariDataSource pool;

  private PgDatabase(PgSettings settings, HikariDataSource pool) {
    this.settings = settings;
    this.pool = pool;
  }

  /**
   * Connects, then creates or migrates the schema (Flyway holds a lock in the database while it
   * migrates, so nodes starting together migrate once).
   *
   * @throws StoreException saying what failed and what to check (host, credentials, pgvector)
   */
  public static PgDatabase open(PgSettings settings) {
    Objects.requireNonNull(settings, "settings");
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(settings.jdbcUrl());
    config.setUsername(settings.user());
    settings.password().ifPresent(p -> config.setPassword(p.reveal()));
    config.setMaximumPoolSize(settings.poolSize());
    config.setMinimumIdle(1);
    config.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
    config.setPoolName("ragtime-postgres");
    // Ragtime's schema first; public after it, where pgvector lives if an administrator created the
    // extension there before us.
    config.setConnectionInitSql("SET search_path TO " + SCHEMA + ", public");
    // Fail fast at start-up with the driver's own reason rather than on the first query.
    config.setInitializationFailTimeout(CONNECTION_TIMEOUT.toMillis());
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw new StoreException(
          "cannot connect to PostgreSQL at "
              + settings.jdbcUrl()
              + " as "
              + settings.user()
              + ": "
              + rootMessage(e)
              + " (check the store URL, that the server is running and accepts this user, and"
              + " "
              + PgSettings.PASSWORD_ENV
              + " or PGPASSWORD for the password)",
          e);
    }
    try {
      migrate(pool);
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
    return new PgDatabase(settings, pool);
  }

  private static void migrate(DataSource pool) {
    try {
      Flyway.configure()
          .dataSource(pool)
          .schemas(SCHEMA)
          .createSchemas(true)
          .locations("classpath:db/migration")
          .load()
          .migrate();
    } catch (FlywayException e) {
      String why = rootMessage(e);
      String hint =
          why.contains("vector")
              ? " (pgvector 0.8 or newer must be installed on the server, and the extension"
                  + " created by a role allowed to: CREATE EXTENSION vector)"
              : "";
      throw new StoreException("cannot create or migrate the Ragtime schema: " + why + hint, e);
    }
  }

  /** The pooled connections; every connection's search path is {@value #SCHEMA}. */
  public DataSource dataSource() {
    return pool;
  }

  /** A pooled connection; the caller closes it (which returns it to the pool). */
  public Connection connection() throws SQLException {
    return pool.getConnection();
  }

  public PgSettings settings() {
    return settings;
  }

  @Override
  public void close() {
    pool.close();
  }

  @Override
  public String toString() {
    return "PgDatabase[" + settings + "]";
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
