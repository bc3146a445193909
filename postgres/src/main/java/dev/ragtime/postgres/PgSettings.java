package dev.ragtime.postgres;

import dev.ragtime.provider.Secret;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the PostgreSQL store lives and how to log in: a JDBC URL without credentials, the user, the
 * password (only from the store URL or the environment, never from the YAML file) and the pool
 * size. {@link #toString()} never shows the password.
 *
 * @param jdbcUrl {@code jdbc:postgresql://host:port/database[?parameters]}, no user or password
 * @param user the role to log in as
 * @param password empty to rely on the server's trust, peer or {@code .pgpass} authentication
 * @param poolSize connections in the pool, positive
 */
public record PgSettings(String jdbcUrl, String user, Optional<Secret> password, int poolSize) {
  /** Connections per node by default: enough for concurrent searches and one ingestion. */
  public static final int DEFAULT_POOL_SIZE = 10;

  /** Environment variable read for the password when the store URL has none. */
  public static final String PASSWORD_ENV = "RAGTIME_STORE_PASSWORD";

  public PgSettings {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    if (!jdbcUrl.startsWith("jdbc:postgresql://")) {
      throw new IllegalArgumentException(
          "PostgreSQL JDBC URL must start with jdbc:postgresql:// (got '"
              + redactUrl(jdbcUrl)
              + "')");
    }
    if (user.isBlank()) {
      throw new IllegalArgumentException("PostgreSQL user must not be blank");
    }
    if (poolSize < 1) {
      throw new IllegalArgumentException("PostgreSQL pool size must be positive, got " + poolSize);
    }
  }

  /**
   * Parses a store URL of the form {@code postgres://user[:password]@host[:port]/database[?query]}
   * (also {@code postgresql://}). The password comes from the URL or, when it has none, from
   * {@value #PASSWORD_ENV} and then {@code PGPASSWORD} in {@code env}. The query string is passed
   * to the JDBC driver (for example {@code sslmode=require}).
   *
   * @throws IllegalArgumentException naming what is wrong (the password is never echoed)
   */
  public static PgSettings parse(String storeUrl, Map<String, String> env) {
    Objects.requireNonNull(storeUrl, "store URL");
    Objects.requireNonNull(env, "env");
    URI uri;
    try {
      uri = new URI(storeUrl.strip());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "invalid store URL '"
              + redactUrl(storeUrl)
              + "': expected postgres://user@host:5432/database",
          e);
    }
    String scheme = uri.getScheme();
    if (scheme == null || !(scheme.equals("postgres") || scheme.equals("postgresql"))) {
      throw new IllegalArgumentException(
          "unsupported store URL '"
              + redactUrl(storeUrl)
              + "': expected postgres://user@host:5432/database");
    }
    String host = uri.getHost();
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException(
          "store URL '"
              + redactUrl(storeUrl)
              + "' names no host: expected postgres://user@host/db");
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    String database = decode(path.startsWith("/") ? path.substring(1) : path);
    if (database.isBlank() || database.contains("/")) {
      throw new IllegalArgumentException(
          "store URL '"
              + redactUrl(storeUrl)
              + "' names no database: expected postgres://user@host/db");
    }
    String user = "postgres";
    Optional<Secret> password = Optional.empty();
    String userInfo = uri.getRawUserInfo();
    if (userInfo != null && !userInfo.isEmpty()) {
      int colon = userInfo.indexOf(':');
      user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
      if (colon >= 0 && colon < userInfo.length() - 1) {
        password = Optional.of(Secret.of(decode(userInfo.substring(colon + 1))));
      }
    }
    if (password.isEmpty()) {
      password = envSecret(env, PASSWORD_ENV).or(() -> envSecret(env, "PGPASSWORD"));
    }
    int port = uri.getPort() < 0 ? 5432 : uri.getPort();
    String hostPart = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    String jdbc = "jdbc:postgresql://" + hostPart + ":" + port + "/" + encodePath(database);
    if (uri.getRawQuery() != null && !uri.getRawQuery().isBlank()) {
      jdbc += "?" + uri.getRawQuery();
    }
    return new PgSettings(jdbc, user, password, DEFAULT_POOL_SIZE);
  }

  /** The same settings with another pool size. */
  public PgSettings withPoolSize(int size) {
    return new PgSettings(jdbcUrl, user, password, size);
  }

  /** A description safe to log: URL and user, never the password. */
  @Override
  public String toString() {
    return "PgSettings[" + user + " at " + jdbcUrl + ", pool " + poolSize + "]";
  }

  private static Optional<Secret> envSecret(Map<String, String> env, String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(Secret.of(v));
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static String encodePath(String database) {
    return database.replace("%", "%25").replace("?", "%3F").replace("#", "%23");
  }

  /** The URL with any password replaced by {@code ****}, for error messages. */
  static String redactUrl(String url) {
    return url.replaceAll("(://[^:/@]*):[^@/]*@", "$1:****@");
  }
}
