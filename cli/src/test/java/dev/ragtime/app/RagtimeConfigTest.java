package dev.ragtime.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ragtime.config.ConfigException;
import dev.ragtime.config.Settings;
import dev.ragtime.embed.EmbeddingConfig;
import dev.ragtime.onnx.LocalModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RagtimeConfigTest {
  private static RagtimeConfig config(Map<String, String> settings) {
    return RagtimeConfig.from(Settings.of(settings), Optional.of(Path.of("data")), Map.of());
  }

  @Test
  void theLocalModelGetsLargeRequestsOneAtATimeAndEnoughDocumentsForTheNextOne() {
    RagtimeConfig c = config(Map.of());

    assertThat(c.localEmbedding()).isTrue();
    assertThat(c.embedding().maxConcurrency()).isEqualTo(1);
    assertThat(c.embedding().maxBatch()).isEqualTo(RagtimeConfig.LOCAL_MAX_BATCH);
    assertThat(c.embedding().maxBatchTokens()).isEqualTo(RagtimeConfig.LOCAL_MAX_BATCH_TOKENS);
    // one request in flight and one forming
    assertThat(c.ingest().documentsInFlight()).isEqualTo(2 * RagtimeConfig.LOCAL_MAX_BATCH);
  }

  @Test
  void remoteProvidersKeepThePipelineDefaultsAndDocumentsInFlightFollowThem() {
    RagtimeConfig c =
        config(
            Map.of(
                "embedding.provider", "openai",
                "embedding.base-url", "http://127.0.0.1:1/v1",
                "embedding.model", "m"));

    assertThat(c.embedding().maxBatch()).isEqualTo(EmbeddingConfig.DEFAULT_MAX_BATCH);
    assertThat(c.embedding().maxBatchTokens()).isEqualTo(EmbeddingConfig.DEFAULT_MAX_BATCH_TOKENS);
    assertThat(c.ingest().documentsInFlight())
        .isEqualTo(
            (EmbeddingConfig.DEFAULT_MAX_CONCURRENCY + 1) * EmbeddingConfig.DEFAULT_MAX_BATCH);
  }

  @Test
  void explicitSettingsWinOverTheDerivedDefaults() {
    RagtimeConfig c =
        config(
            Map.of(
                "embedding.max-batch", "16",
                "embedding.max-batch-tokens", "4096",
                "ingest.documents-in-flight", "8"));

    assertThat(c.embedding().maxBatch()).isEqualTo(16);
    assertThat(c.embedding().maxBatchTokens()).isEqualTo(4096);
    assertThat(c.ingest().documentsInFlight()).isEqualTo(8);
  }

  @Test
  void theLocalModelBringsItsInputLimitAndFusionDefaultsAndExplicitSettingsWin() {
    RagtimeConfig bge = config(Map.of("local.model", "bge-small-en-v1.5"));
    assertThat(bge.local().model()).isEqualTo(LocalModel.BGE_SMALL_EN_V15);
    assertThat(bge.local().maxTokens()).isEqualTo(512);
    assertThat(bge.embedding().maxInputTokens()).isEqualTo(512);
    assertThat(bge.search().scoreWeight()).isEqualTo(0.1);

    RagtimeConfig minilm = config(Map.of());
    assertThat(minilm.local().model()).isEqualTo(LocalModel.ALL_MINILM_L6_V2);
    assertThat(minilm.local().maxTokens()).isEqualTo(256);
    assertThat(minilm.search().scoreWeight()).isEqualTo(0.3);

    RagtimeConfig explicit =
        config(
            Map.of(
                "local.model", "bge-small-en-v1.5",
                "local.max-tokens", "256",
                "search.score-weight", "0.25"));
    assertThat(explicit.local().maxTokens()).isEqualTo(256);
    assertThat(explicit.search().scoreWeight()).isEqualTo(0.25);
  }

  @Test
  void anUnknownLocalModelIsAConfigErrorListingTheChoices() {
    assertThatThrownBy(() -> config(Map.of("local.model", "bge-large")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("local.model")
        .hasMessageContaining("bge-small-en-v1.5");
  }

  @Test
  void anOutOfRangeBatchIsAConfigErrorNamingTheSetting() {
    assertThatThrownBy(() -> config(Map.of("embedding.max-batch", "0")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("maxBatch");
  }

  @Test
  void apiKeysComeFromTheEnvironmentOnlyAndBadOnesAreNamedByPosition(@TempDir Path dir)
      throws Exception {
    String key = "env-key-0123456789abcdef";
    Map<String, String> env = Map.of("RAGTIME_API_KEYS", key + ":r");
    RagtimeConfig c =
        RagtimeConfig.from(Settings.load(Optional.empty(), env), Optional.of(dir), env);
    assertThat(c.apiKeys().authenticate(key)).isPresent();
    assertThat(c.toString()).doesNotContain(key);
    assertThat(config(Map.of()).apiKeys().enabled()).isFalse();

    Path yml = dir.resolve("ragtime.yml");
    Files.writeString(yml, "api-keys: " + key + ":rw\n");
    assertThatThrownBy(() -> Settings.load(Optional.of(yml), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("RAGTIME_API_KEYS")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(key));

    Map<String, String> bad = Map.of("RAGTIME_API_KEYS", key + ":r,tooShort:rw");
    assertThatThrownBy(
            () -> RagtimeConfig.from(Settings.load(Optional.empty(), bad), Optional.of(dir), bad))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("entry 2")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(key).doesNotContain("tooShort"));
  }

  @Test
  void theStoreComesFromTheEnvironmentOrTheCommandLineAndItsPasswordOnlyFromTheEnvironment(
      @TempDir Path dir) throws Exception {
    String pw = "s3cret-do-not-print";
    Map<String, String> env =
        Map.of(
            "RAGTIME_STORE", "postgres://rt@db.example:5433/rag",
            "RAGTIME_STORE_PASSWORD", pw,
            "RAGTIME_STORE_POOL_SIZE", "4");
    RagtimeConfig c =
        RagtimeConfig.from(Settings.load(Optional.empty(), env), Optional.of(dir), env);
    assertThat(c.postgres()).isTrue();
    var store = c.store().orElseThrow();
    assertThat(store.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:5433/rag");
    assertThat(store.user()).isEqualTo("rt");
    assertThat(store.password().orElseThrow().reveal()).isEqualTo(pw);
    assertThat(store.poolSize()).isEqualTo(4);
    assertThat(c.toString()).doesNotContain(pw);
    assertThat(config(Map.of()).postgres()).isFalse();

    // --store wins; a password inside RAGTIME_STORE's URL is the environment's, so accepted
    Map<String, String> inUrl = Map.of("RAGTIME_STORE", "postgres://rt:" + pw + "@db:5432/rag");
    assertThat(
            RagtimeConfig.from(
                    Settings.load(Optional.empty(), inUrl),
                    Optional.of(dir),
                    Optional.of("postgres://other@db2/x"),
                    Map.of())
                .store()
                .orElseThrow()
                .user())
        .isEqualTo("other");
    assertThat(
            RagtimeConfig.from(Settings.load(Optional.empty(), inUrl), Optional.of(dir), inUrl)
                .store()
                .orElseThrow()
                .password())
        .isPresent();

    // ... but refused on the command line and in the YAML file, without echoing it
    assertThatThrownBy(
            () ->
                RagtimeConfig.from(
                    Settings.empty(),
                    Optional.of(dir),
                    Optional.of("postgres://rt:" + pw + "@db/rag"),
                    Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("--store")
        .hasMessageContaining("RAGTIME_STORE_PASSWORD")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(pw));
    Path yml = dir.resolve("ragtime.yml");
    Files.writeString(yml, "store: postgres://rt:" + pw + "@db/rag\n");
    assertThatThrownBy(
            () ->
                RagtimeConfig.from(
                    Settings.load(Optional.of(yml), Map.of()), Optional.of(dir), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("file " + yml)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(pw));
  }

  @Test
  void aStoreUrlThatIsNotPostgresIsAConfigErrorNamingWhereItCameFrom() {
    assertThatThrownBy(() -> config(Map.of("store", "mysql://u@h/db")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("store")
        .hasMessageContaining("postgres://");
  }
}
