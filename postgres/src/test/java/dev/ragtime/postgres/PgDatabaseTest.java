package dev.ragtime.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class PgDatabaseTest {

  @Test
  void opensAndMigratesAFreshDatabaseWithPgvector() throws Exception {
    try (PgTestDatabase db = PgTestDatabase.create();
        PgDatabase store = PgDatabase.open(db.settings());
        Connection c = store.connection();
        Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT (current_schemas(false))[1]")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo(PgDatabase.SCHEMA);
      }
      try (ResultSet rs = s.executeQuery("SELECT '[1,2,3]'::vector <=> '[1,2,3]'::vector")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getDouble(1)).isZero();
      }
      try (ResultSet rs =
          s.executeQuery("SELECT count(*) FROM flyway_schema_history WHERE success")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isPositive();
      }
    }
  }

  @Test
  void openingTwiceMigratesOnce() {
    try (PgTestDatabase db = PgTestDatabase.create()) {
      try (PgDatabase first = PgDatabase.open(db.settings())) {
        assertThat(first.dataSource()).isNotNull();
      }
      // A second node starting against an up-to-date schema finds nothing to do and no error.
      try (PgDatabase second = PgDatabase.open(db.settings())) {
        assertThat(second.settings().user()).isEqualTo(db.settings().user());
      }
    }
  }

  @Test
  void anUnreachableServerFailsWithTheAddressAndAHint() {
    PgSettings nowhere =
        PgSettings.parse("postgres://ragtime@127.0.0.1:1/nothing", java.util.Map.of());
    assertThatThrownBy(() -> PgDatabase.open(nowhere))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("127.0.0.1:1")
        .hasMessageContaining("check the store URL");
  }
}
