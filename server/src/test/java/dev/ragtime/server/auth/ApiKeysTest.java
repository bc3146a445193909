package dev.ragtime.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ragtime.config.ConfigException;
import dev.ragtime.server.http.ApiException;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Parsing {@code RAGTIME_API_KEYS}, authenticating with it, and what a grant allows. */
class ApiKeysTest {
  static final String READER = "reader-0123456789abcdef";
  static final String WRITER = "writer-0123456789abcdef";
  static final String LIMITED = "limited-0123456789abcdef";

  @Test
  void eachKeyGetsItsRightsAndCollections() {
    ApiKeys keys =
        ApiKeys.parse(READER + ":r, " + WRITER + ":rw ,," + LIMITED + ":rw:notes|other_1");

    assertThat(keys.enabled()).isTrue();
    assertThat(keys.size()).isEqualTo(3);
    assertThat(keys.authenticate(READER)).contains(new Grant(false, Set.of()));
    assertThat(keys.authenticate(WRITER)).contains(new Grant(true, Set.of()));
    assertThat(keys.authenticate(LIMITED)).contains(new Grant(true, Set.of("notes", "other_1")));
    assertThat(keys.authenticate("unknown-0123456789abcdef")).isEmpty();
    assertThat(keys.authenticate(READER + "x")).isEmpty();
    assertThat(keys.authenticate("")).isEmpty();
  }

  @Test
  void blankOrEmptyValuesTurnAccessControlOff() {
    assertThat(ApiKeys.parse("").enabled()).isFalse();
    assertThat(ApiKeys.parse(" , ").enabled()).isFalse();
    assertThat(ApiKeys.none().enabled()).isFalse();
  }

  @Test
  void errorsNameTheEntryByPositionAndNeverShowIt() {
    assertRefused(READER + ":r,abc123xyz:rw", "entry 2", "shorter than 16");
    assertRefused(READER + ":admin", "entry 1", "r (read) or rw");
    assertRefused(READER, "entry 1", "expected KEY:r");
    assertRefused(READER + ":r:a:b", "entry 1", "expected KEY:r");
    assertRefused("bad key with spaces 0123:r", "entry 1", "letters, digits");
    assertRefused(READER + ":r:notes|", "entry 1", "collection 2");
    assertRefused(READER + ":r:../etc", "entry 1", "collection 1");
    assertRefused(READER + ":r," + READER + ":rw", "entry 2", "repeats");
    // A key pasted where the rights or a collection belong is not echoed either.
    assertRefused("rw:" + WRITER, "entry 1", "shorter than 16");
    assertRefused(READER + ":" + WRITER, "entry 1", "r (read) or rw");
  }

  private static void assertRefused(String spec, String position, String reason) {
    assertThatThrownBy(() -> ApiKeys.parse(spec))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(ApiKeys.ENV)
        .hasMessageContaining(position)
        .hasMessageContaining(reason)
        .satisfies(
            e -> {
              for (String secret : new String[] {READER, WRITER, "abc123xyz", "bad key"}) {
                assertThat(e.getMessage()).doesNotContain(secret);
              }
            });
  }

  @Test
  void toStringShowsTheCountOnly() {
    ApiKeys keys = ApiKeys.parse(READER + ":r," + WRITER + ":rw");
    assertThat(keys.toString()).isEqualTo("ApiKeys[2 keys]").doesNotContain(READER);
  }

  @Test
  void grantsRefuseWithForbidden() {
    var reader = new Grant(false, Set.of());
    reader.requireRead("any");
    assertThatThrownBy(() -> reader.requireWrite("any"))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(403))
        .hasMessageContaining("only read");

    var limited = new Grant(true, Set.of("notes"));
    assertThat(limited.reaches("notes")).isTrue();
    assertThat(limited.reaches("other")).isFalse();
    limited.requireWrite("notes");
    assertThatThrownBy(() -> limited.requireRead("other"))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(403))
        .hasMessageContaining("'other'")
        .hasMessageContaining("[notes]");
    assertThat(Grant.FULL.reaches("anything")).isTrue();
  }
}
