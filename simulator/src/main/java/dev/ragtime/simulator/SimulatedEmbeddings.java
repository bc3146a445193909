package dev.ragtime.simulator;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.Objects;

/**
 * The simulator's model: deterministic vectors and the token-counting rule. Pure functions, no
 * state, thread-safe.
 *
 * <p>Vector rule (stable: tests and other simulator instances depend on it):
 *
 * <ol>
 *   <li>seed = FNV-1a-64 over the UTF-16 code units of {@code model}, then the separator value
 *       {@code 0x10000} (not a valid code unit), then the code units of {@code text}; finished with
 *       the SplitMix64 finaliser;
 *   <li>component {@code i} (0-based) = the top 24 bits of {@code mix64(seed + (i + 1) *
 *       0x9E3779B97F4A7C15)} scaled to {@code [-1, 1)};
 *   <li>the first {@code dimension} components are divided by their L2 norm (computed in double)
 *       and rounded to float.
 * </ol>
 *
 * <p>So a shorter vector is the re-normalised prefix of a longer one, as with OpenAI's {@code
 * dimensions} parameter.
 */
final class SimulatedEmbeddings {

  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
  private static final int SEPARATOR = 0x10000;

  private SimulatedEmbeddings() {}

  static float[] vector(String model, String text, int dimension) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(text, "text");
    if (dimension < 1) {
      throw new IllegalArgumentException("dimension must be positive, was " + dimension);
    }
    long seed = seed(model, text);
    double[] raw = new double[dimension];
    double sumOfSquares = 0;
    for (int i = 0; i < dimension; i++) {
      long z = mix64(seed + (i + 1) * GOLDEN_GAMMA);
      double value = (z >>> 40) * 0x1.0p-23 - 1.0; // 24 bits → [0, 2) → [-1, 1)
      raw[i] = value;
      sumOfSquares += value * value;
    }
    float[] vector = new float[dimension];
    if (sumOfSquares == 0) {
      vector[0] = 1f; // all components exactly zero: astronomically unlikely, but stay normalised
      return vector;
    }
    double norm = Math.sqrt(sumOfSquares);
    for (int i = 0; i < dimension; i++) {
      vector[i] = (float) (raw[i] / norm);
    }
    return vector;
  }

  static long seed(String model, String text) {
    long h = FNV_OFFSET;
    for (int i = 0; i < model.length(); i++) {
      h = (h ^ model.charAt(i)) * FNV_PRIME;
    }
    h = (h ^ SEPARATOR) * FNV_PRIME;
    for (int i = 0; i < text.length(); i++) {
      h = (h ^ text.charAt(i)) * FNV_PRIME;
    }
    return mix64(h);
  }

  /** The SplitMix64 finaliser (Stafford variant 13). */
  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** Tokens in one input: {@code max(1, ceil(text.length() / 4))}, counting UTF-16 code units. */
  static int countTokens(String text) {
    return Math.max(1, (text.length() + 3) / 4);
  }

  /**
   * Little-endian IEEE-754 float32 bytes, base64-encoded (RFC 4648, with padding), as OpenAI does.
   */
  static String toBase64(float[] vector) {
    return Base64.getEncoder().encodeToString(toLittleEndianBytes(vector));
  }

  static byte[] toLittleEndianBytes(float[] vector) {
    ByteBuffer bytes =
        ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : vector) {
      bytes.putFloat(v);
    }
    return bytes.array();
  }

  /** Inverse of {@link #toBase64}. */
  static float[] fromBase64(String base64) {
    ByteBuffer bytes =
        ByteBuffer.wrap(Base64.getDecoder().decode(base64)).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.remaining() % Float.BYTES != 0) {
      throw new IllegalArgumentException(
          "base64 payload is not a whole number of floats: " + bytes.remaining() + " bytes");
    }
    float[] vector = new float[bytes.remaining() / Float.BYTES];
    for (int i = 0; i < vector.length; i++) {
      vector[i] = bytes.getFloat();
    }
    return vector;
  }
}
