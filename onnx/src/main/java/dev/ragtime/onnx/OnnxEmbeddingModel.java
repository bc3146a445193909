package dev.ragtime.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.OrtSession.SessionOptions.ExecutionMode;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.ragtime.chunk.TokenCounter;
import dev.ragtime.embed.EmbeddingModel;
import dev.ragtime.embed.ModelInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local embedding model ({@link LocalModel}: by default sentence-transformers all-MiniLM-L6-v2)
 * run on the CPU through ONNX Runtime, with the model and tokenizer files that LangChain4j ships in
 * its {@code langchain4j-embeddings-*} artifacts. Nothing is downloaded at run time.
 *
 * <p>Vectors match the reference implementations': the model's prefix for the text's {@link
 * Purpose} prepended, word-pieces truncated at {@link ModelInfo#maxTokens()} (counting [CLS] and
 * [SEP]), the model's {@link Pooling} over the last hidden state, L2 normalisation.
 *
 * <p>Design note. {@link #embed} tokenises every text, sorts the texts by token count and runs them
 * in batches of {@link OnnxModelConfig#batchSize()} texts and at most {@link
 * LocalModel#batchCells()} padded tokens, each padded only to its own longest member, then puts the
 * vectors back in input order. Inference runs one batch at a time per model (a lock taken per
 * batch, so a short query waits for at most one batch of a long ingestion call): ONNX Runtime
 * already spreads one batch over {@link OnnxModelConfig#intraOpThreads()} threads, so concurrent
 * runs would only contend for the same cores and prevent reusing the input and output buffers.
 * Tokenisation and everything else run on the calling threads, concurrently. The model's output is
 * written straight into a reused direct buffer, so a batch allocates one {@code long[]} per text
 * (its token ids) and one {@code float[]} per vector, nothing per token.
 *
 * <p>Thread-safe. Must be {@linkplain #close() closed} to release the native session and tokenizer.
 * Failures of ONNX Runtime surface as {@link IllegalStateException}; a thread interrupted while
 * waiting for the model gets a {@link CancellationException} with its interrupt flag restored.
 */
public final class OnnxEmbeddingModel implements EmbeddingModel {

  /** The default model's identifier, as recorded in indexes. */
  public static final String MODEL_ID = LocalModel.DEFAULT.id();

  /** The default model's vector length. */
  public static final int DIMENSION = LocalModel.DEFAULT.dimension();

  /** The identity of the default model under the default configuration, without loading it. */
  public static final ModelInfo DEFAULT_INFO =
      new ModelInfo(MODEL_ID, DIMENSION, OnnxModelConfig.DEFAULT_MAX_TOKENS);

  static final String TOKENIZER_RESOURCE = LocalModel.DEFAULT.tokenizerResource();

  private static final String INPUT_IDS = "input_ids";
  private static final String ATTENTION_MASK = "attention_mask";
  private static final String TOKEN_TYPE_IDS = "token_type_ids";
  private static final String LAST_HIDDEN_STATE = "last_hidden_state";

  /**
   * Texts longer than {@code 2 * PREFIX_CHARS_PER_TOKEN * maxTokens} characters are first tokenised
   * from a prefix of about half that length; real text averages 4 to 5 characters per word-piece,
   * so the prefix almost always already overflows the limit.
   */
  private static final int PREFIX_CHARS_PER_TOKEN = 8;

  private static final Logger LOG = LoggerFactory.getLogger(OnnxEmbeddingModel.class);

  private final OnnxModelConfig config;
  private final LocalModel declared;
  private final int dimension;
  private final int batchSize;
  private final ModelInfo info;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final boolean feedsTokenTypeIds;
  private final WordPieceTokenizer tokenizer;
  private final AtomicLong truncatedInputs = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ReentrantLock inference = new ReentrantLock();

  // Guarded by inference: reused across batches, grown on demand. Token type ids stay all zero.
  private LongBuffer inputIds = longBuffer(0);
  private LongBuffer attentionMask = longBuffer(0);
  private LongBuffer tokenTypeIds = longBuffer(0);
  private FloatBuffer hiddenState = floatBuffer(0);
  private final float[] scratch;

  private OnnxEmbeddingModel(
      OnnxModelConfig config,
      OrtEnvironment env,
      OrtSession session,
      boolean feedsTokenTypeIds,
      WordPieceTokenizer tokenizer) {
    this.config = config;
    this.declared = config.model();
    this.dimension = declared.dimension();
    this.batchSize = Math.min(config.batchSize(), declared.maxBatchSize());
    this.scratch = new float[dimension];
    this.info = modelInfo(config);
    this.env = env;
    this.session = session;
    this.feedsTokenTypeIds = feedsTokenTypeIds;
    this.tokenizer = tokenizer;
  }

  /** The identity of the model {@link #load} would return for {@code config}, without loading. */
  public static ModelInfo modelInfo(OnnxModelConfig config) {
    LocalModel m = config.model();
    return new ModelInfo(m.id(), m.dimension(), config.maxTokens(), m.variant());
  }

  /**
   * Loads the model: extracts the natives and the model file into {@link
   * OnnxModelConfig#cacheDir()} on first use, then creates the ONNX Runtime session. Takes about a
   * second.
   *
   * @throws IllegalStateException when the platform has no bundled natives, the model's artifact is
   *     not on the class path, or ONNX Runtime rejects the model
   * @throws UncheckedIOException when the cache directory cannot be written
   */
  public static OnnxEmbeddingModel load(OnnxModelConfig config) {
    Objects.requireNonNull(config, "config");
    long start = System.nanoTime();
    LocalModel declared = config.model();
    if (OnnxEmbeddingModel.class.getResource(declared.modelResource()) == null) {
      throw new IllegalStateException(
          "local model "
              + declared.settingName()
              + " is not installed: its artifact dev.langchain4j:"
              + declared.artifactId()
              + " is not on the class path. Start Ragtime with the ./ragtime launcher, which adds"
              + " it when local.model (RAGTIME_LOCAL_MODEL) selects this model, or choose another"
              + " local.model");
    }
    OrtEnvironment env = NativeLibraries.load(config.cacheDir());
    String artifactVersion =
        NativeFiles.property(declared.artifactProperties(), "version").orElse("unknown");
    Path modelFile =
        NativeFiles.extract(
            declared.modelResource(),
            config
                .cacheDir()
                .resolve("models")
                .resolve(declared.fileStem() + "-" + artifactVersion + ".onnx"));
    WordPieceTokenizer tokenizer =
        WordPieceTokenizer.fromJson(readResource(declared.tokenizerResource()));
    OrtSession session = null;
    try (SessionOptions options = new SessionOptions()) {
      options.setOptimizationLevel(OptLevel.ALL_OPT);
      options.setExecutionMode(ExecutionMode.SEQUENTIAL);
      options.setIntraOpNumThreads(config.intraOpThreads());
      options.setInterOpNumThreads(1);
      // Idle intra-op threads would otherwise spin between operators and batches, taking the
      // cores that tokenisation, parsing and indexing need on a small shared machine; on 2 busy
      // cores not spinning was as fast at best and clearly faster under load.
      options.addConfigEntry("session.intra_op.allow_spinning", "0");
      session = env.createSession(modelFile.toString(), options);
      boolean feedsTokenTypeIds = checkSignature(session);
      OnnxEmbeddingModel model =
          new OnnxEmbeddingModel(config, env, session, feedsTokenTypeIds, tokenizer);
      LOG.debug(
          "loaded {} from {} in {} ms: {} intra-op threads, batches of {}, {} tokens",
          model.info,
          modelFile,
          (System.nanoTime() - start) / 1_000_000,
          config.intraOpThreads(),
          model.batchSize,
          config.maxTokens());
      return model;
    } catch (OrtException | RuntimeException e) {
      tokenizer.close();
      closeQuietly(session);
      if (e instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException("ONNX Runtime cannot load " + modelFile, e);
    }
  }

  /** Checks the model has the inputs and output we feed and read; tells if it takes type ids. */
  private static boolean checkSignature(OrtSession session) {
    if (!session.getInputNames().containsAll(List.of(INPUT_IDS, ATTENTION_MASK))
        || !session.getOutputNames().contains(LAST_HIDDEN_STATE)) {
      throw new IllegalStateException(
          "unexpected model signature: inputs "
              + session.getInputNames()
              + ", outputs "
              + session.getOutputNames());
    }
    return session.getInputNames().contains(TOKEN_TYPE_IDS);
  }

  /** The configuration this model was loaded with. */
  public OnnxModelConfig config() {
    return config;
  }

  @Override
  public ModelInfo info() {
    return info;
  }

  /**
   * Counts word-pieces the way {@link #embed} does, excluding [CLS] and [SEP], without truncation.
   * Costs one native tokenisation per call (a few microseconds for a sentence). Thread-safe; throws
   * {@link IllegalStateException} once this model is closed.
   */
  public TokenCounter tokenCounter() {
    return tokenizer::countWordPieces;
  }

  /** How many inputs {@link #embed} has truncated at {@link ModelInfo#maxTokens()} so far. */
  public long truncatedInputs() {
    return truncatedInputs.get();
  }

  @Override
  public List<float[]> embed(List<String> texts) {
    return embed(texts, Purpose.DOCUMENT);
  }

  /** Embeds the texts with the model's prefix for {@code purpose} (BGE: queries only). */
  @Override
  public List<float[]> embed(List<String> texts, Purpose purpose) {
    Objects.requireNonNull(texts, "texts");
    Objects.requireNonNull(purpose, "purpose");
    String prefix = purpose == Purpose.QUERY ? declared.queryPrefix() : declared.documentPrefix();
    ensureOpen();
    int count = texts.size();
    if (count == 0) {
      return List.of();
    }
    long[][] tokenIds = new long[count][];
    int[] lengths = new int[count];
    for (int i = 0; i < count; i++) {
      String text = texts.get(i);
      if (text == null) {
        throw new NullPointerException("texts[" + i + "] is null");
      }
      tokenIds[i] = tokenize(prefix.isEmpty() ? text : prefix + text);
      lengths[i] = tokenIds[i].length;
    }
    float[][] vectors = new float[count][];
    for (int[] batch : LengthBatches.plan(lengths, batchSize, declared.batchCells())) {
      runBatch(batch, tokenIds, vectors);
    }
    return List.of(vectors);
  }

  /** Token ids with [CLS] and [SEP], truncated to {@code maxTokens}. */
  long[] tokenize(String text) {
    int maxTokens = config.maxTokens();
    long[] ids = encodeEnough(text, maxTokens);
    if (ids.length <= maxTokens) {
      return ids;
    }
    truncatedInputs.incrementAndGet();
    LOG.debug("truncated a text of {} characters to {} word-pieces", text.length(), maxTokens - 2);
    long[] kept = Arrays.copyOf(ids, maxTokens);
    kept[maxTokens - 1] = ids[ids.length - 1];
    return kept;
  }

  /**
   * Tokenises {@code text}, or only a prefix of it when that prefix already exceeds {@code
   * maxTokens}. The prefix ends at whitespace, where BERT's normaliser and pre-tokeniser make the
   * prefix's word-pieces exactly the first word-pieces of the whole text, so truncating either
   * gives the same ids.
   */
  private long[] encodeEnough(String text, int maxTokens) {
    int prefixChars = maxTokens * PREFIX_CHARS_PER_TOKEN;
    if (text.length() > 2 * prefixChars) {
      int cut = lastWhitespace(text, prefixChars, prefixChars / 2);
      if (cut > 0) {
        long[] prefixIds = tokenizer.encodeWithSpecialTokens(text.substring(0, cut));
        if (prefixIds.length > maxTokens) {
          return prefixIds;
        }
      }
    }
    return tokenizer.encodeWithSpecialTokens(text);
  }

  /** Index of the last ASCII whitespace in {@code [from, to)}, or -1. */
  private static int lastWhitespace(String text, int to, int from) {
    for (int i = to - 1; i >= from; i--) {
      char c = text.charAt(i);
      if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
        return i;
      }
    }
    return -1;
  }

  private void runBatch(int[] batch, long[][] tokenIds, float[][] vectors) {
    try {
      inference.lockInterruptibly();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted while waiting for the embedding model");
    }
    int rows = batch.length;
    int sequenceLength = 0;
    for (int index : batch) {
      sequenceLength = Math.max(sequenceLength, tokenIds[index].length);
    }
    try {
      ensureOpen();
      int cells = rows * sequenceLength;
      ensureCapacity(cells);
      fillInputs(batch, tokenIds, sequenceLength);
      long[] inputShape = {rows, sequenceLength};
      try (OnnxTensor ids = OnnxTensor.createTensor(env, inputIds.slice(0, cells), inputShape);
          OnnxTensor mask =
              OnnxTensor.createTensor(env, attentionMask.slice(0, cells), inputShape);
          OnnxTensor types =
              feedsTokenTypeIds
                  ? OnnxTensor.createTensor(env, tokenTypeIds.slice(0, cells), inputShape)
                  : null;
          OnnxTensor hidden =
              OnnxTensor.createTensor(
                  env,
                  hiddenState.slice(0, cells * dimension),
                  new long[] {rows, sequenceLength, dimension})) {
        Map<String, OnnxTensor> inputs = new HashMap<>(4);
        inputs.put(INPUT_IDS, ids);
        inputs.put(ATTENTION_MASK, mask);
        if (types != null) {
          inputs.put(TOKEN_TYPE_IDS, types);
        }
        session.run(inputs, Map.of(LAST_HIDDEN_STATE, hidden)).close();
      }
      for (int row = 0; row < rows; row++) {
        int index = batch[row];
        vectors[index] =
            declared
                .pooling()
                .pool(hiddenState, row, sequenceLength, tokenIds[index].length, dimension, scratch);
      }
    } catch (OrtException e) {
      throw new IllegalStateException(
          "ONNX Runtime failed on a batch of "
              + rows
              + " texts of up to "
              + sequenceLength
              + " word-pieces",
          e);
    } finally {
      inference.unlock();
    }
  }

  /** Writes right-padded ids and the matching attention mask, row by row. */
  private void fillInputs(int[] batch, long[][] tokenIds, int sequenceLength) {
    for (int row = 0; row < batch.length; row++) {
      long[] ids = tokenIds[batch[row]];
      int offset = row * sequenceLength;
      inputIds.put(offset, ids);
      for (int t = 0; t < ids.length; t++) {
        attentionMask.put(offset + t, 1L);
      }
      // Padding: id 0 is [PAD]; masked positions never influence the kept tokens.
      for (int t = ids.length; t < sequenceLength; t++) {
        inputIds.put(offset + t, 0L);
        attentionMask.put(offset + t, 0L);
      }
    }
  }

  private void ensureCapacity(int cells) {
    if (inputIds.capacity() < cells) {
      inputIds = longBuffer(cells);
      attentionMask = longBuffer(cells);
      tokenTypeIds = longBuffer(cells);
    }
    if (hiddenState.capacity() < cells * dimension) {
      hiddenState = floatBuffer(cells * dimension);
    }
  }

  private static LongBuffer longBuffer(int size) {
    return ByteBuffer.allocateDirect(size * Long.BYTES)
        .order(ByteOrder.nativeOrder())
        .asLongBuffer();
  }

  private static FloatBuffer floatBuffer(int size) {
    return ByteBuffer.allocateDirect(size * Float.BYTES)
        .order(ByteOrder.nativeOrder())
        .asFloatBuffer();
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("the embedding model is closed");
    }
  }

  /**
   * Releases the ONNX Runtime session and the tokenizer, after a batch that is running finishes.
   * Idempotent. Later calls to {@link #embed} and the token counter throw {@link
   * IllegalStateException}.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    inference.lock();
    try {
      closeQuietly(session);
      inputIds = longBuffer(0);
      attentionMask = longBuffer(0);
      tokenTypeIds = longBuffer(0);
      hiddenState = floatBuffer(0);
    } finally {
      inference.unlock();
      tokenizer.close();
    }
  }

  private static void closeQuietly(OrtSession session) {
    if (session == null) {
      return;
    }
    try {
      session.close();
    } catch (OrtException e) {
      LOG.warn("closing the ONNX Runtime session failed", e);
    }
  }

  private static String readResource(String resource) {
    try (InputStream in = OnnxEmbeddingModel.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("resource " + resource + " is not on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }

  @Override
  public String toString() {
    return "OnnxEmbeddingModel[" + info + ", " + config + "]";
  }
}
