package dev.ragtime.testing;

import dev.ragtime.embed.EmbeddingModel;
import dev.ragtime.embed.ModelInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deterministic, dependency-free {@link EmbeddingModel} for tests: a hashed bag of words. Each
 * lower-cased word (run of letters or digits) adds ±1 to one of {@code dimension} buckets, chosen
 * by a fixed hash of the word; the sum is L2-normalised. Texts sharing words therefore have a
 * higher cosine similarity, identical texts have similarity 1, and a text with no words maps to the
 * first unit vector.
 *
 * <p>Counts calls so tests can assert that the model was (not) used. Thread-safe. After {@link
 * #close} it refuses to embed.
 */
public final class FakeEmbeddingModel implements EmbeddingModel {
  /** The identity used unless a test asks for another one. */
  public static final ModelInfo DEFAULT_INFO = new ModelInfo("test/hashed-bag-of-words", 64, 512);

  private final ModelInfo info;
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicInteger texts = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();

  public FakeEmbeddingModel() {
    this(DEFAULT_INFO);
  }

  public FakeEmbeddingModel(ModelInfo info) {
    this.info = info;
  }

  /** A fake with the given identity and a max of 512 tokens. */
  public static FakeEmbeddingModel create(String id, int dimension) {
    return new FakeEmbeddingModel(new ModelInfo(id, dimension, 512));
  }

  @Override
  public ModelInfo info() {
    return info;
  }

  @Override
  public List<float[]> embed(List<String> inputs) {
    if (closed.get()) {
      throw new IllegalStateException("FakeEmbeddingModel is closed");
    }
    calls.incrementAndGet();
    texts.addAndGet(inputs.size());
    List<float[]> out = new ArrayList<>(inputs.size());
    for (String text : inputs) {
      out.add(vectorOf(text));
    }
    return out;
  }

  /** The vector of one text, without counting a call. */
  public float[] vectorOf(String text) {
    float[] v = new float[info.dimension()];
    for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (word.isEmpty()) {
        continue;
      }
      int h = mix(word.hashCode());
      v[Math.floorMod(h, v.length)] += (h & 0x4000_0000) == 0 ? 1 : -1;
    }
    double norm = 0;
    for (float x : v) {
      norm += (double) x * x;
    }
    if (norm == 0) {
      v[0] = 1;
      return v;
    }
    float inv = (float) (1 / Math.sqrt(norm));
    for (int i = 0; i < v.length; i++) {
      v[i] *= inv;
    }
    return v;
  }

  /** Number of {@link #embed} calls so far. */
  public int calls() {
    return calls.get();
  }

  /** Number of texts embedded so far. */
  public int embeddedTexts() {
    return texts.get();
  }

  public boolean isClosed() {
    return closed.get();
  }

  @Override
  public void close() {
    closed.set(true);
  }

  /** Murmur3's 32-bit finaliser: spreads String.hashCode over all bits. */
  private static int mix(int h) {
    h ^= h >>> 16;
    h *= 0x85eb_ca6b;
    h ^= h >>> 13;
    h *= 0xc2b2_ae35;
    h ^= h >>> 16;
    return h;
  }
}
