package dev.ragtime.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PgSettingsTest {

  @Test
  void parsesAStoreUrlIntoJdbcUrlUserAndDefaults() {
    PgSettings s =
        PgSettings.parse("postgres://alice@db.example:6432/rag?sslmode=require", Map.of());
    assertThat(s.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:6432/rag?sslmode=require");
    assertThat(s.user()).isEqualTo("alice");
    assertThat(s.password()).isEmpty();
    assertThat(s.poolSize()).isEqualTo(PgSettings.DEFAULT_POOL_SIZE);
  }

  @Test
  void portAndUserDefaultLikeLibpq() {
    PgSettings s = PgSettings.parse("postgresql://localhost/rag", Map.of());
    assertThat(s.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/rag");
    assertThat(s.user()).isEqualTo("postgres");
  }

  @Test
  void passwordComesFromTheUrlThenRagtimeEnvThenPgpassword() {
    assertThat(
            PgSettings.parse("postgres://a:s%40cret@h/d", Map.of("PGPASSWORD", "other"))
                .password()
                .orElseThrow()
                .reveal())
        .isEqualTo("s@cret");
    assertThat(
            PgSettings.parse(
                    "postgres://a@h/d",
                    Map.of(PgSettings.PASSWORD_ENV, "fromenv", "PGPASSWORD", "other"))
                .password()
                .orElseThrow()
                .reveal())
        .isEqualTo("fromenv");
    assertThat(
            PgSettings.parse("postgres://a@h/d", Map.of("PGPASSWORD", "pg"))
                .password()
                .orElseThrow()
                .reveal())
        .isEqualTo("pg");
  }

  @Test
  void neverShowsThePassword() {
    PgSettings s = PgSettings.parse("postgres://a:topsecret@h/d", Map.of());
    assertThat(s.toString())
        .doesNotContain("topsecret")
        .contains("a at jdbc:postgresql://h:5432/d");
    assertThatThrownBy(() -> PgSettings.parse("mysql://a:topsecret@h/d", Map.of()))
        .hasMessageNotContaining("topsecret")
        .hasMessageContaining("expected postgres://");
  }

  @Test
  void rejectsUrlsWithoutHostOrDatabase() {
    assertThatThrownBy(() -> PgSettings.parse("postgres://a@h", Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("names no database");
    assertThatThrownBy(() -> PgSettings.parse("postgres:///d", Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("names no host");
    assertThatThrownBy(() -> PgSettings.parse("postgres://a@h/d", Map.of()).withPoolSize(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pool size");
  }
}
