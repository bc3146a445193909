package dev.ragtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
  @TempDir Path tmp;

  @Test
  void environmentVariablesMapToKebabCaseKeysBySection() {
    assertThat(Settings.keyForEnv("RAGTIME_EMBEDDING_BASE_URL")).isEqualTo("embedding.base-url");
    assertThat(Settings.keyForEnv("RAGTIME_EMBEDDING_MAX_BATCH_TOKENS"))
        .isEqualTo("embedding.max-batch-tokens");
    assertThat(Settings.keyForEnv("RAGTIME_DATA")).isEqualTo("data");
    assertThat(Settings.keyForEnv("RAGTIME_NATIVE_DIR")).isEqualTo("native-dir");
    assertThat(Settings.envName("embedding.max-batch-tokens"))
        .isEqualTo("RAGTIME_EMBEDDING_MAX_BATCH_TOKENS");
  }

  @Test
  void theLaunchersOwnVariablesAreNotSettings() {
    Settings s =
        Settings.load(
            Optional.empty(),
            Map.of(
                "RAGTIME_JAVA_OPTS", "-Xmx1g",
                "RAGTIME_CONFIG", "/nowhere.yml",
                "RAGTIME_DATA", "/d"));

    assertThat(s.string("java-opts")).isEmpty();
    assertThat(s.string("config")).isEmpty();
    assertThat(s.string("data")).contains("/d");
    s.requireKnown(Set.of("data"));
  }

  @Test
  void environmentOverridesTheFile() throws IOException {
    Path f = tmp.resolve("ragtime.yml");
    Files.writeString(
        f,
        """
        data: /from/file
        search:
          rrf-k: 40
          candidates: 50
        embedding:
          fallback-urls: [http://a, http://b]
        """);
    Settings s =
        Settings.load(Optional.of(f), Map.of("RAGTIME_SEARCH_RRF_K", "70", "HOME", "/root"));

    assertThat(s.string("data")).contains("/from/file");
    assertThat(s.integer("search.rrf-k", 0)).isEqualTo(70);
    assertThat(s.integer("search.candidates", 0)).isEqualTo(50);
    assertThat(s.list("embedding.fallback-urls")).containsExactly("http://a", "http://b");
    assertThat(s.source("search.rrf-k")).isEqualTo("environment variable RAGTIME_SEARCH_RRF_K");
  }

  @Test
  void secretsInTheFileAreRefusedWithTheVariableToUseInstead() throws IOException {
    Path f = tmp.resolve("ragtime.yml");
    Files.writeString(f, "embedding:\n  api-key: sk-very-secret\n");
    assertThatThrownBy(() -> Settings.load(Optional.of(f), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("RAGTIME_EMBEDDING_API_KEY")
        .hasMessageNotContaining("sk-very-secret");
  }

  @Test
  void secretsNeverAppearInToStringOrErrors() {
    Settings s =
        Settings.load(
            Optional.empty(),
            Map.of("RAGTIME_EMBEDDING_API_KEY", "sk-very-secret", "RAGTIME_EMBEDDING_RPM", "x"));
    assertThat(s.toString()).doesNotContain("sk-very-secret").contains("(hidden)");
    assertThat(s.string("embedding.api-key")).contains("sk-very-secret");
    assertThatThrownBy(() -> s.integer("embedding.rpm"))
        .hasMessageContaining("'x'")
        .hasMessageContaining("RAGTIME_EMBEDDING_RPM")
        .hasMessageContaining("whole number");
  }

  @Test
  void durationsAcceptUnitsBareSecondsAndIso() {
    Settings s =
        Settings.of(
            Map.of("a", "500ms", "b", "30s", "c", "2m", "d", "15", "e", "PT1H", "f", "1.5s"));
    assertThat(s.duration("a", Duration.ZERO)).isEqualTo(Duration.ofMillis(500));
    assertThat(s.duration("b", Duration.ZERO)).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.duration("c", Duration.ZERO)).isEqualTo(Duration.ofMinutes(2));
    assertThat(s.duration("d", Duration.ZERO)).isEqualTo(Duration.ofSeconds(15));
    assertThat(s.duration("e", Duration.ZERO)).isEqualTo(Duration.ofHours(1));
    assertThat(s.duration("f", Duration.ZERO)).isEqualTo(Duration.ofMillis(1500));
    assertThatThrownBy(() -> Settings.of(Map.of("x", "soon")).duration("x"))
        .hasMessageContaining("'soon'")
        .hasMessageContaining("500ms");
  }

  @Test
  void unknownKeysAreReportedWithWhereTheyCameFrom() {
    Settings s = Settings.load(Optional.empty(), Map.of("RAGTIME_SERCH_RRF_K", "3"));
    assertThatThrownBy(() -> s.requireKnown(Set.of("search.rrf-k")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("serch-rrf-k")
        .hasMessageContaining("RAGTIME_SERCH_RRF_K")
        .hasMessageContaining("search.rrf-k");
  }

  @Test
  void aMissingExplicitFileIsAnError() {
    assertThatThrownBy(() -> Settings.load(Optional.of(tmp.resolve("nope.yml")), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("nope.yml");
  }

  @Test
  void booleansAndBlankValues() {
    Settings s = Settings.of(Map.of("t", "yes", "f", "off", "blank", "  "));
    assertThat(s.bool("t", false)).isTrue();
    assertThat(s.bool("f", true)).isFalse();
    assertThat(s.string("blank")).isEmpty();
    assertThat(s.integer("blank", 7)).isEqualTo(7);
  }
}
