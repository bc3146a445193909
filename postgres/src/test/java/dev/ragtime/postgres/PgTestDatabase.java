package dev.ragtime.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * A fresh, empty database for one test, created on the PostgreSQL server named by the environment
 * variable {@value #ENV} (a JDBC URL with the user, e.g. {@code
 * jdbc:postgresql://127.0.0.1:5433/postgres?user=postgres}; {@code .ci/postgres.sh} starts such a
 * server and sets it). Dropped again on {@link #close()}.
 *
 * <p>Without that variable a test that asks for a database is skipped with a message saying how to
 * run it, except when {@code CI} is set: CI always has PostgreSQL, so there it fails instead.
 */
public final class PgTestDatabase implements AutoCloseable {
  /** The environment variable naming the test server. */
  public static final String ENV = "TEST_POSTGRES_URL";

  private final String adminUrl;
  private final String name;
  private final PgSettings settings;

  private PgTestDatabase(String adminUrl, String name, PgSettings settings) {
    this.adminUrl = adminUrl;
    this.name = name;
    this.settings = settings;
  }

  /** Whether a test server is configured. */
  public static boolean available() {
    String url = System.getenv(ENV);
    return url != null && !url.isBlank();
  }

  /**
   * Creates an empty database on the test server.
   *
   * @throws org.opentest4j.TestAbortedException (skips the test) if no server is configured and
   *     {@code CI} is not set
   * @throws IllegalStateException if no server is configured and {@code CI} is set
   */
  public static PgTestDatabase create() {
    String adminUrl = System.getenv(ENV);
    if (adminUrl == null || adminUrl.isBlank()) {
      String how =
          "PostgreSQL tests need a server with pgvector: set "
              + ENV
              + " to a JDBC URL with a superuser (e.g. jdbc:postgresql://127.0.0.1:5433/postgres"
              + "?user=postgres), or run `source .ci/postgres.sh` first, which starts one";
      if (System.getenv("CI") != null) {
        throw new IllegalStateException("CI is set but " + ENV + " is not. " + how);
      }
      Assumptions.abort(how);
    }
    String name = "ragtime_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    try (Connection c = DriverManager.getConnection(adminUrl);
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create a test database through " + adminUrl, e);
    }
    return new PgTestDatabase(adminUrl, name, settingsFor(adminUrl, name));
  }

  /** Settings that reach this test's database (pool size {@value PgSettings#DEFAULT_POOL_SIZE}). */
  public PgSettings settings() {
    return settings;
  }

  /** A {@code postgres://} store URL for this database, as a user would pass to {@code --store}. */
  public String storeUrl() {
    String rest = settings.jdbcUrl().substring("jdbc:postgresql://".length());
    return "postgres://" + settings.user() + "@" + rest;
  }

  /** The database's name. */
  public String name() {
    return name;
  }

  @Override
  public void close() {
    try (Connection c = DriverManager.getConnection(adminUrl);
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot drop test database " + name, e);
    }
  }

  private static PgSettings settingsFor(String adminUrl, String database) {
    // jdbc:postgresql://host:port/db?user=u[&password=p]
    String withoutPrefix = adminUrl.substring("jdbc:postgresql://".length());
    int slash = withoutPrefix.indexOf('/');
    String hostPort = withoutPrefix.substring(0, slash);
    int q = withoutPrefix.indexOf('?');
    Map<String, String> params = q < 0 ? Map.of() : parseQuery(withoutPrefix.substring(q + 1));
    String user = params.getOrDefault("user", "postgres");
    Optional<dev.ragtime.provider.Secret> password =
        Optional.ofNullable(params.get("password")).map(dev.ragtime.provider.Secret::of);
    return new PgSettings(
        "jdbc:postgresql://" + hostPort + "/" + database,
        user,
        password,
        PgSettings.DEFAULT_POOL_SIZE);
  }

  private static Map<String, String> parseQuery(String query) {
    var map = new java.util.HashMap<String, String>();
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        map.put(pair.substring(0, eq), pair.substring(eq + 1));
      }
    }
    return map;
  }
}
