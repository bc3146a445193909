package dev.ragtime.bench.local;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The reference for what ONNX Runtime itself allows: a plain, competent loop written straight
 * against ONNX Runtime and DJL's HuggingFace tokenizer, with none of Ragtime's code. It does what a
 * careful engineer would: tokenises all texts in one native batch call, sorts them by length, runs
 * fixed-size batches each padded only to its own longest text, reuses direct input buffers, and
 * pools with the attention mask. Its session options are Ragtime's (all graph optimisations, one
 * intra-op thread per core, sequential execution; spinning as configured). The benchmark sweeps its
 * batch size and takes the best.
 *
 * <p>It also times ONNX Runtime's {@code run} calls alone ({@link #inferenceSeconds()}): the floor
 * no wrapper can go under.
 */
final class PlainOnnxLoop implements Embedder {
  private static final int DIMENSION = 384;
  private static final int MAX_TOKENS = 256;

  private final OrtEnvironment env;
  private final OrtSession session;
  private final HuggingFaceTokenizer tokenizer;
  private final int batchSize;
  private final boolean spinning;
  private final boolean feedsTypeIds;
  private double inferenceSeconds;

  PlainOnnxLoop(int batchSize, boolean spinning) throws OrtException, IOException {
    this.batchSize = batchSize;
    this.spinning = spinning;
    this.env = OrtEnvironment.getEnvironment();
    try (SessionOptions options = new SessionOptions()) {
      options.setOptimizationLevel(SessionOptions.OptLevel.ALL_OPT);
      options.setExecutionMode(SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setIntraOpNumThreads(Runtime.getRuntime().availableProcessors());
      options.setInterOpNumThreads(1);
      if (!spinning) {
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
      }
      this.session = env.createSession(resource("/all-minilm-l6-v2.onnx"), options);
    }
    this.feedsTypeIds = session.getInputNames().contains("token_type_ids");
    try (InputStream json = stream("/all-minilm-l6-v2-tokenizer.json")) {
      this.tokenizer =
          HuggingFaceTokenizer.newInstance(
              json,
              Map.of(
                  "addSpecialTokens", "true",
                  "truncation", "true",
                  "maxLength", Integer.toString(MAX_TOKENS),
                  "padding", "false"));
    }
  }

  @Override
  public List<float[]> embed(List<String> texts, int[] documents) throws OrtException {
    Encoding[] encodings = tokenizer.batchEncode(texts);
    long[][] ids = new long[encodings.length][];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = encodings[i].getIds();
    }
    int[] order =
        IntStream.range(0, ids.length)
            .boxed()
            .sorted(Comparator.comparingInt((Integer i) -> -ids[i].length))
            .mapToInt(Integer::intValue)
            .toArray();
    int longest = ids.length == 0 ? 0 : ids[order[0]].length;
    LongBuffer inputIds = longs(batchSize * longest);
    LongBuffer mask = longs(batchSize * longest);
    LongBuffer types = longs(batchSize * longest); // stays all zero
    float[][] vectors = new float[ids.length][];
    long inferenceNanos = 0;
    for (int start = 0; start < order.length; start += batchSize) {
      int rows = Math.min(batchSize, order.length - start);
      int length = ids[order[start]].length; // sorted: the first is the longest
      int cells = rows * length;
      for (int r = 0; r < rows; r++) {
        long[] row = ids[order[start + r]];
        for (int t = 0; t < length; t++) {
          boolean real = t < row.length;
          inputIds.put(r * length + t, real ? row[t] : 0L);
          mask.put(r * length + t, real ? 1L : 0L);
        }
      }
      long[] shape = {rows, length};
      try (OnnxTensor idTensor = OnnxTensor.createTensor(env, inputIds.slice(0, cells), shape);
          OnnxTensor maskTensor = OnnxTensor.createTensor(env, mask.slice(0, cells), shape);
          OnnxTensor typeTensor =
              feedsTypeIds ? OnnxTensor.createTensor(env, types.slice(0, cells), shape) : null) {
        Map<String, OnnxTensor> inputs = new HashMap<>();
        inputs.put("input_ids", idTensor);
        inputs.put("attention_mask", maskTensor);
        if (typeTensor != null) {
          inputs.put("token_type_ids", typeTensor);
        }
        long t0 = System.nanoTime();
        try (OrtSession.Result result = session.run(inputs)) {
          inferenceNanos += System.nanoTime() - t0;
          OnnxTensor hidden = (OnnxTensor) result.get("last_hidden_state").orElseThrow();
          FloatBuffer h = hidden.getFloatBuffer();
          for (int r = 0; r < rows; r++) {
            int index = order[start + r];
            vectors[index] = meanPool(h, r, length, ids[index].length);
          }
        }
      }
    }
    inferenceSeconds = inferenceNanos / 1e9;
    List<float[]> out = new ArrayList<>(vectors.length);
    for (float[] v : vectors) {
      out.add(v);
    }
    return out;
  }

  private static float[] meanPool(FloatBuffer h, int row, int length, int tokens) {
    float[] sum = new float[DIMENSION];
    int base = row * length * DIMENSION;
    for (int t = 0; t < tokens; t++) {
      int offset = base + t * DIMENSION;
      for (int d = 0; d < DIMENSION; d++) {
        sum[d] += h.get(offset + d);
      }
    }
    double norm = 0;
    for (int d = 0; d < DIMENSION; d++) {
      sum[d] /= tokens;
      norm += (double) sum[d] * sum[d];
    }
    float inverse = (float) (1 / Math.sqrt(norm));
    for (int d = 0; d < DIMENSION; d++) {
      sum[d] *= inverse;
    }
    return sum;
  }

  private static LongBuffer longs(int n) {
    return ByteBuffer.allocateDirect(Math.max(1, n) * Long.BYTES)
        .order(ByteOrder.nativeOrder())
        .asLongBuffer();
  }

  @Override
  public double inferenceSeconds() {
    return inferenceSeconds;
  }

  @Override
  public String settings() {
    return "plain ONNX Runtime loop: DJL batch tokenisation, sorted by length, batches of "
        + batchSize
        + " padded to their longest, "
        + Runtime.getRuntime().availableProcessors()
        + " intra-op threads, spinning "
        + (spinning ? "on" : "off");
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("closing the ONNX Runtime session failed", e);
    } finally {
      tokenizer.close();
    }
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = stream(name)) {
      return in.readAllBytes();
    }
  }

  private static InputStream stream(String name) throws IOException {
    InputStream in = PlainOnnxLoop.class.getResourceAsStream(name);
    if (in == null) {
      throw new IOException(name + " is not on the class path");
    }
    return in;
  }
}
