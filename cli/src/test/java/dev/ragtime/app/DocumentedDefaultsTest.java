package dev.ragtime.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ragtime.config.Settings;
import dev.ragtime.embed.EmbeddingConfig;
import dev.ragtime.onnx.OnnxModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * The defaults README.md quotes in its configuration tables are the defaults the code uses. The
 * tables are parsed (every row whose first cell names a key in backticks), each quoted default is
 * turned into a value, and the value is compared with what {@link RagtimeConfig#from} resolves when
 * nothing is set. A changed constant, a renamed key or a new key without a row fails here, naming
 * the key, so the README and the code cannot drift apart silently. The same holds for the fixed
 * values RFC 0001 quotes in its "Fixed values" table: each row names the constant it quotes.
 */
class DocumentedDefaultsTest {

  /**
   * Keys whose default is not compared value for value here: the base URL is described in words,
   * and the documents-in-flight formula is evaluated by a test of its own.
   */
  private static final Set<String> NOT_COMPARED_HERE =
      Set.of("embedding.base-url", "ingest.documents-in-flight");

  /** Keys that are not in the tables on purpose. */
  private static final Set<String> NOT_IN_TABLES =
      // secrets: their rows have no key, only the environment variable
      Set.of("embedding.api-key", "api-keys", "store-password");

  private static final Pattern ROW_KEYS = Pattern.compile("`([a-z][a-z0-9.-]*)`");

  @Test
  void everyDefaultTheReadmeQuotesIsTheCodesDefault() throws IOException {
    Map<String, String> documented = readmeDefaults();
    var soft = new SoftAssertions();
    for (var row : documented.entrySet()) {
      String key = row.getKey();
      String cell = row.getValue();
      if (NOT_COMPARED_HERE.contains(key)) {
        continue;
      }
      Function<String, Object> check = CHECKS.get(key);
      soft.assertThat(check)
          .as("README documents %s, which this test does not know", key)
          .isNotNull();
      if (check == null) {
        continue;
      }
      Object expected = check.apply(cell);
      Object actual = codeDefault(key);
      soft.assertThat(expected)
          .as("README's default for %s is '%s'; the code's default is %s", key, cell, actual)
          .isEqualTo(actual);
    }
    soft.assertAll();
  }

  @Test
  void theTablesListEveryKeyTheCodeReadsAndNoOther() throws IOException {
    Set<String> documented = readmeDefaults().keySet();
    Set<String> known = new TreeSet<>(RagtimeConfig.knownKeys());
    known.removeAll(NOT_IN_TABLES);

    assertThat(new TreeSet<>(documented)).isEqualTo(known);
  }

  @Test
  void theDocumentedDocumentsInFlightFormulaIsTheOneTheCodeUses() throws IOException {
    String formula = unquote(readmeDefaults().get("ingest.documents-in-flight"));
    // the local model's defaults, the remote defaults, and settings that reach the floor and the
    // cap
    int[][] cases = {{1, 256}, {8, 32}, {1, 1}, {2, 16}, {64, 2048}, {1024, 2048}};
    for (int[] c : cases) {
      Map<String, String> settings = new HashMap<>();
      settings.put("embedding.max-concurrency", Integer.toString(c[0]));
      settings.put("embedding.max-batch", Integer.toString(c[1]));
      RagtimeConfig config = resolve(settings);
      long documented =
          new Formula(formula, Map.of("max-concurrency", (long) c[0], "max-batch", (long) c[1]))
              .evaluate();

      assertThat(config.ingest().documentsInFlight())
          .as(
              "documents in flight for max-concurrency %d, max-batch %d by '%s'",
              c[0], c[1], formula)
          .isEqualTo(documented);
    }
  }

  @Test
  void everyFixedValueTheRfcQuotesIsTheNamedConstant() throws Exception {
    List<List<String>> rows = rfcFixedValues();
    assertThat(rows).as("rows of the RFC's fixed-values table").hasSizeGreaterThan(5);
    var soft = new SoftAssertions();
    for (List<String> row : rows) {
      String quoted = row.get(0);
      String reference = unquote(row.get(2));
      Object actual;
      try {
        actual = constant(reference);
      } catch (ReflectiveOperationException e) {
        soft.fail(
            "the RFC names %s for '%s', which the code does not have (%s)", reference, quoted, e);
        continue;
      }
      soft.assertThat(matches(quoted, actual))
          .as("the RFC quotes %s = %s; the code has %s", reference, quoted, actual)
          .isTrue();
    }
    soft.assertAll();
  }

  /** The rows (value, what, code) of the RFC's "Fixed values" table. */
  static List<List<String>> rfcFixedValues() throws IOException {
    Path rfc = readme().resolveSibling("docs/rfc/0001-embedding-pipeline.md");
    List<List<String>> rows = new ArrayList<>();
    boolean inSection = false;
    for (String line : Files.readAllLines(rfc)) {
      if (line.startsWith("#")) {
        inSection = line.contains("Fixed values");
        continue;
      }
      if (inSection && line.startsWith("|")) {
        List<String> cells = cells(line);
        if (cells.size() == 3 && cells.get(2).startsWith("`")) {
          rows.add(cells);
        }
      }
    }
    return rows;
  }

  /** {@code Class.FIELD} or {@code Class.FIELD.accessor()} in {@code dev.ragtime.embed}. */
  private static Object constant(String reference) throws ReflectiveOperationException {
    String[] parts = reference.split("\\.");
    Class<?> type = Class.forName("dev.ragtime.embed." + parts[0]);
    java.lang.reflect.Field field = type.getDeclaredField(parts[1]);
    field.setAccessible(true);
    Object value = field.get(null);
    for (int i = 2; i < parts.length; i++) {
      String name = parts[i].replace("()", "");
      java.lang.reflect.Method accessor = value.getClass().getDeclaredMethod(name);
      accessor.setAccessible(true);
      value = accessor.invoke(value);
    }
    return value;
  }

  /** "200 ms", "1 s", "0.75", "50 %", "4,096" against a Duration or a number. */
  static boolean matches(String quoted, Object actual) {
    Matcher m = Pattern.compile("^([0-9][0-9,]*(?:\\.[0-9]+)?)\\s*(ms|s|min|%)?$").matcher(quoted);
    if (!m.matches()) {
      return false;
    }
    double number = Double.parseDouble(m.group(1).replace(",", ""));
    String unit = m.group(2);
    if (actual instanceof Duration d) {
      double seconds = d.toNanos() / 1e9;
      return unit != null
          && !unit.equals("%")
          && Math.abs(seconds - number * (unit.equals("ms") ? 1e-3 : unit.equals("min") ? 60 : 1))
              < 1e-9;
    }
    if (actual instanceof Number n) {
      // a number of seconds (a double field) may carry the unit "s"; anything else is unitless
      boolean unitFits = unit == null || unit.equals("%") || unit.equals("s");
      return unitFits && Math.abs(n.doubleValue() - number) < 1e-9;
    }
    return false;
  }

  // --- what the README says -------------------------------------------------------------------

  /** Key → its default cell, from every configuration table of README.md. */
  static Map<String, String> readmeDefaults() throws IOException {
    List<String> lines = Files.readAllLines(readme());
    Map<String, String> defaults = new LinkedHashMap<>();
    int defaultColumn = -1;
    for (String line : lines) {
      if (!line.startsWith("|")) {
        defaultColumn = -1; // a table ended
        continue;
      }
      List<String> cells = cells(line);
      if (defaultColumn < 0) {
        defaultColumn = cells.indexOf("default");
        continue;
      }
      if (cells.get(0).startsWith("---") || !cells.get(0).startsWith("`")) {
        continue;
      }
      List<String> keys = new ArrayList<>();
      Matcher m = ROW_KEYS.matcher(cells.get(0));
      while (m.find()) {
        keys.add(m.group(1));
      }
      String cell = cells.get(defaultColumn);
      // "`a`, `b` | 1.0, 2.0": one default per key, in order; "`a`, `b` | 0": the same for both
      String[] values = keys.size() > 1 ? cell.split(",\\s*") : new String[] {cell};
      if (values.length == 1) {
        values = java.util.Collections.nCopies(keys.size(), cell).toArray(String[]::new);
      }
      assertThat(values).as("defaults of %s in '%s'", keys, line).hasSize(keys.size());
      for (int i = 0; i < keys.size(); i++) {
        String previous = defaults.put(keys.get(i), values[i].trim());
        assertThat(previous).as("%s is documented twice", keys.get(i)).isNull();
      }
    }
    assertThat(defaults).as("configuration rows found in %s", readme()).hasSizeGreaterThan(20);
    return defaults;
  }

  private static List<String> cells(String line) {
    String inner = line.strip();
    inner = inner.substring(1, inner.endsWith("|") ? inner.length() - 1 : inner.length());
    List<String> cells = new ArrayList<>();
    for (String c : inner.split("\\|", -1)) {
      cells.add(c.strip());
    }
    return cells;
  }

  private static Path readme() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("README.md");
      if (Files.isRegularFile(candidate) && Files.isDirectory(dir.resolve("cli"))) {
        return candidate;
      }
    }
    throw new IllegalStateException("README.md of the repository not found above " + Path.of(""));
  }

  // --- turning a quoted default into a value --------------------------------------------------

  private static String unquote(String cell) {
    return cell.replace("`", "").strip();
  }

  private static Object integer(String cell) {
    Matcher m = Pattern.compile("^`?([0-9][0-9,]*)").matcher(cell);
    assertThat(m.find()).as("a number in '%s'", cell).isTrue();
    return Long.parseLong(m.group(1).replace(",", ""));
  }

  private static Object decimal(String cell) {
    return Double.parseDouble(unquote(cell));
  }

  private static Object duration(String cell) {
    return Settings.of(Map.of("x", unquote(cell))).duration("x").orElseThrow();
  }

  /** "32 (local: 256)" → [remote, local]. */
  private static Object remoteAndLocal(String cell) {
    Matcher m = Pattern.compile("^([0-9,]+) \\(local: ([0-9,]+)\\)$").matcher(unquote(cell));
    assertThat(m.matches()).as("'N (local: M)' in '%s'", cell).isTrue();
    return List.of(
        Long.parseLong(m.group(1).replace(",", "")), Long.parseLong(m.group(2).replace(",", "")));
  }

  /** "`text-embedding-3-small` (openai), `nomic-embed-text` (ollama)" → {openai=…, ollama=…}. */
  private static Object modelPerProvider(String cell) {
    Map<String, String> models = new LinkedHashMap<>();
    Matcher m = Pattern.compile("`([^`]+)` \\((\\w+)\\)").matcher(cell);
    while (m.find()) {
      models.put(m.group(2), m.group(1));
    }
    return models;
  }

  private static final Map<String, Function<String, Object>> CHECKS = new HashMap<>();

  static {
    CHECKS.put("data", DocumentedDefaultsTest::unquote);
    CHECKS.put("store", DocumentedDefaultsTest::unquote);
    CHECKS.put("store-pool-size", DocumentedDefaultsTest::integer);
    CHECKS.put("native-dir", DocumentedDefaultsTest::unquote);
    CHECKS.put("local.threads", DocumentedDefaultsTest::unquote);
    CHECKS.put("local.max-tokens", DocumentedDefaultsTest::integer);
    CHECKS.put("local.batch-size", DocumentedDefaultsTest::integer);
    CHECKS.put("chunking.max-tokens", DocumentedDefaultsTest::integer);
    CHECKS.put("chunking.overlap-tokens", DocumentedDefaultsTest::integer);
    CHECKS.put("chunking.min-chunk-tokens", DocumentedDefaultsTest::integer);
    CHECKS.put("search.fusion", DocumentedDefaultsTest::unquote);
    CHECKS.put("local.model", DocumentedDefaultsTest::unquote);
    CHECKS.put("search.score-weight", DocumentedDefaultsTest::decimal);
    CHECKS.put("search.score-normalization", DocumentedDefaultsTest::unquote);
    CHECKS.put("search.candidates", DocumentedDefaultsTest::integer);
    CHECKS.put("search.rrf-k", DocumentedDefaultsTest::integer);
    CHECKS.put("search.lexical-weight", DocumentedDefaultsTest::decimal);
    CHECKS.put("search.vector-weight", DocumentedDefaultsTest::decimal);
    CHECKS.put("index.hnsw-m", DocumentedDefaultsTest::integer);
    CHECKS.put("index.hnsw-beam-width", DocumentedDefaultsTest::integer);
    CHECKS.put("index.ram-buffer-mb", DocumentedDefaultsTest::decimal);
    CHECKS.put("ingest.commit-documents", DocumentedDefaultsTest::integer);
    CHECKS.put("ingest.commit-interval", DocumentedDefaultsTest::duration);
    CHECKS.put("ingest.max-file-bytes", DocumentedDefaultsTest::integer);
    CHECKS.put("embedding.provider", DocumentedDefaultsTest::unquote);
    CHECKS.put("embedding.model", DocumentedDefaultsTest::modelPerProvider);
    CHECKS.put("embedding.dimensions", DocumentedDefaultsTest::unquote);
    CHECKS.put("embedding.rpm", DocumentedDefaultsTest::integer);
    CHECKS.put("embedding.tpm", DocumentedDefaultsTest::integer);
    CHECKS.put("embedding.max-batch", DocumentedDefaultsTest::remoteAndLocal);
    CHECKS.put("embedding.max-batch-tokens", DocumentedDefaultsTest::remoteAndLocal);
    CHECKS.put("embedding.max-concurrency", DocumentedDefaultsTest::remoteAndLocal);
    CHECKS.put("embedding.timeout", DocumentedDefaultsTest::duration);
    CHECKS.put("embedding.fallback-urls", DocumentedDefaultsTest::unquote);
    CHECKS.put("embedding.max-wait", DocumentedDefaultsTest::duration);
    CHECKS.put("embedding.max-attempts", DocumentedDefaultsTest::integer);
    CHECKS.put("embedding.deadline", DocumentedDefaultsTest::duration);
    CHECKS.put("embedding.max-input-tokens", DocumentedDefaultsTest::integer);
    CHECKS.put("embedding.cache-memory-bytes", DocumentedDefaultsTest::integer);
    CHECKS.put("embedding.cache-persistent", DocumentedDefaultsTest::unquote);
  }

  // --- what the code does when nothing is set -------------------------------------------------

  private static RagtimeConfig resolve(Map<String, String> settings) {
    return RagtimeConfig.from(Settings.of(settings), Optional.empty(), Map.of());
  }

  private static RagtimeConfig remote(String provider) {
    return resolve(Map.of("embedding.provider", provider, "embedding.model", "m"));
  }

  /** The code's default for a key, in the form the matching check turns the README's cell into. */
  private static Object codeDefault(String key) {
    RagtimeConfig local = resolve(Map.of());
    EmbeddingConfig remote = remote("openai").embedding();
    OnnxModelConfig onnx = OnnxModelConfig.defaults(Path.of("unused"));
    return switch (key) {
      case "data" -> "./" + local.dataDir();
      case "store" -> local.store().isEmpty() ? "none" : local.store();
      case "store-pool-size" ->
          (long) resolve(Map.of("store", "postgres://u@h/db")).store().orElseThrow().poolSize();
      case "native-dir" -> {
        Path home = Path.of(System.getProperty("user.home"));
        yield "~/" + home.relativize(RagtimeConfig.defaultCacheDir(Map.of()));
      }
      // 0 = one thread per available processor, which the local model then uses
      case "local.threads" ->
          local.local().threads() == 0
                  && onnx.intraOpThreads() == Runtime.getRuntime().availableProcessors()
              ? "cores"
              : local.local().threads();
      case "local.model" -> local.local().model().settingName();
      case "local.max-tokens" -> (long) local.local().maxTokens();
      // 0 = the local model's own default
      case "local.batch-size" ->
          (long) (local.local().batchSize() > 0 ? local.local().batchSize() : onnx.batchSize());
      case "chunking.max-tokens" -> (long) local.chunking().maxTokens();
      case "chunking.overlap-tokens" -> (long) local.chunking().overlapTokens();
      case "chunking.min-chunk-tokens" -> (long) local.chunking().minChunkTokens();
      case "search.fusion" -> local.search().fusion().label();
      case "search.score-weight" -> local.search().scoreWeight();
      case "search.score-normalization" -> local.search().normalization().label();
      case "search.candidates" -> (long) local.search().candidates();
      case "search.rrf-k" -> (long) local.search().rrfK();
      case "search.lexical-weight" -> local.search().lexicalWeight();
      case "search.vector-weight" -> local.search().vectorWeight();
      case "index.hnsw-m" -> (long) local.index().hnswM();
      case "index.hnsw-beam-width" -> (long) local.index().hnswBeamWidth();
      case "index.ram-buffer-mb" -> local.index().ramBufferMb();
      case "ingest.commit-documents" -> (long) local.ingest().commitDocuments();
      case "ingest.commit-interval" -> local.ingest().commitInterval();
      case "ingest.max-file-bytes" -> local.ingest().maxFileBytes();
      case "embedding.provider" -> local.embedding().provider().key();
      case "embedding.model" ->
          Map.of(
              "openai",
                  EmbeddingConfig.builder()
                      .provider(EmbeddingConfig.Provider.OPENAI)
                      .build()
                      .model(),
              "ollama",
                  EmbeddingConfig.builder()
                      .provider(EmbeddingConfig.Provider.OLLAMA)
                      .build()
                      .model());
      case "embedding.dimensions" -> remote.dimensions().isEmpty() ? "native" : remote.dimensions();
      case "embedding.rpm" -> (long) remote.rpm();
      case "embedding.tpm" -> (long) remote.tpm();
      case "embedding.max-batch" ->
          List.of((long) remote.maxBatch(), (long) local.embedding().maxBatch());
      case "embedding.max-batch-tokens" ->
          List.of((long) remote.maxBatchTokens(), (long) local.embedding().maxBatchTokens());
      case "embedding.max-concurrency" ->
          List.of((long) remote.maxConcurrency(), (long) local.embedding().maxConcurrency());
      case "embedding.timeout" -> remote.timeout();
      case "embedding.fallback-urls" ->
          remote.fallbackUrls().isEmpty() ? "none" : remote.fallbackUrls();
      case "embedding.max-wait" -> remote.maxWait();
      case "embedding.max-attempts" -> (long) remote.maxAttempts();
      case "embedding.deadline" -> remote.deadline();
      case "embedding.max-input-tokens" -> (long) remote.maxInputTokens();
      case "embedding.cache-memory-bytes" -> remote.cacheMemoryBytes();
      case "embedding.cache-persistent" -> Boolean.toString(remote.cachePersistent());
      default -> throw new IllegalArgumentException("no code default known for " + key);
    };
  }

  /**
   * The README's documents-in-flight formula, evaluated: integers, the two setting names, {@code
   * +}, {@code ×}, parentheses, {@code min(a, b)} and {@code max(a, b)}.
   */
  static final class Formula {
    private final String text;
    private final Map<String, Long> variables;
    private int pos;

    Formula(String text, Map<String, Long> variables) {
      this.text = text.replace(" ", "");
      this.variables = variables;
    }

    long evaluate() {
      long value = sum();
      if (pos != text.length()) {
        throw new IllegalArgumentException("unexpected '" + text.substring(pos) + "' in " + text);
      }
      return value;
    }

    private long sum() {
      long value = product();
      while (peek('+')) {
        pos++;
        value += product();
      }
      return value;
    }

    private long product() {
      long value = atom();
      while (peek('×') || peek('*')) {
        pos++;
        value *= atom();
      }
      return value;
    }

    private long atom() {
      if (peek('(')) {
        pos++;
        long value = sum();
        expect(')');
        return value;
      }
      int start = pos;
      while (pos < text.length()
          && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '-')) {
        pos++;
      }
      String word = text.substring(start, pos);
      if (word.isEmpty()) {
        throw new IllegalArgumentException("expected a value at " + start + " in " + text);
      }
      if (Character.isDigit(word.charAt(0))) {
        return Long.parseLong(word);
      }
      if (word.equals("min") || word.equals("max")) {
        expect('(');
        long a = sum();
        expect(',');
        long b = sum();
        expect(')');
        return word.equals("min") ? Math.min(a, b) : Math.max(a, b);
      }
      Long value = variables.get(word);
      if (value == null) {
        throw new IllegalArgumentException("unknown name '" + word + "' in " + text);
      }
      return value;
    }

    private boolean peek(char c) {
      return pos < text.length() && text.charAt(pos) == c;
    }

    private void expect(char c) {
      if (!peek(c)) {
        throw new IllegalArgumentException("expected '" + c + "' at " + pos + " in " + text);
      }
      pos++;
    }
  }
}
