package dev.ragtime.simulator;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * A minimal JSON writer into a growable byte array, for the success bodies: they are mostly floats,
 * and writing floats through {@link Float#toString} costs about 100–150 ns each, which capped the
 * simulator at a few hundred 384-dimension batches per second on two cores. Here a float costs a
 * few nanoseconds.
 *
 * <p>Float format: a value with {@code 0.01 <= |v| < 1} is written as {@code 0.} followed by ten
 * decimals, rounded half-up, trailing zeros removed ({@code -0.0123456789}); anything else with
 * {@link Float#toString}. Ten decimals keep the absolute error under {@code 5e-11}, well below half
 * the float spacing at {@code |v| >= 0.01} (at least {@code 2.3e-10}), so parsing the text as
 * float, or as double and then narrowing, gives back exactly {@code v}. The caller writes
 * separators.
 *
 * <p>Not thread-safe; one per response.
 */
final class JsonOut {

  private static final double TEN_DECIMALS = 1e10;

  private byte[] bytes;
  private int size;

  JsonOut(int expectedSize) {
    this.bytes = new byte[Math.max(64, expectedSize)];
  }

  byte[] toByteArray() {
    return Arrays.copyOf(bytes, size);
  }

  private void ensure(int more) {
    if (size + more > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
    }
  }

  JsonOut raw(char c) {
    ensure(1);
    bytes[size++] = (byte) c;
    return this;
  }

  /** Appends ASCII text as is (field names, punctuation). */
  JsonOut raw(String ascii) {
    ensure(ascii.length());
    for (int i = 0; i < ascii.length(); i++) {
      bytes[size++] = (byte) ascii.charAt(i);
    }
    return this;
  }

  JsonOut number(long value) {
    return raw(Long.toString(value));
  }

  /** Appends a JSON string literal, escaping quotes, backslashes and control characters. */
  JsonOut string(String value) {
    ensure(2);
    bytes[size++] = '"';
    int start = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\' || c < 0x20) {
        utf8(value.substring(start, i));
        switch (c) {
          case '"' -> raw("\\\"");
          case '\\' -> raw("\\\\");
          case '\n' -> raw("\\n");
          case '\r' -> raw("\\r");
          case '\t' -> raw("\\t");
          default -> raw(String.format("\\u%04x", (int) c));
        }
        start = i + 1;
      }
    }
    utf8(value.substring(start));
    return raw('"');
  }

  private void utf8(String text) {
    byte[] encoded = text.getBytes(StandardCharsets.UTF_8);
    ensure(encoded.length);
    System.arraycopy(encoded, 0, bytes, size, encoded.length);
    size += encoded.length;
  }

  /** Appends one float in the format described in the class comment. */
  JsonOut number(float value) {
    float magnitude = Math.abs(value);
    if (!(magnitude >= 0.01f && magnitude < 1f)) {
      return raw(Float.toString(value));
    }
    long scaled = (long) (magnitude * TEN_DECIMALS + 0.5); // < 1e10: 1f is excluded above
    ensure(13);
    if (value < 0) {
      bytes[size++] = '-';
    }
    bytes[size++] = '0';
    bytes[size++] = '.';
    int end = size + 10;
    for (int i = end - 1; i >= size; i--) {
      bytes[i] = (byte) ('0' + (int) (scaled % 10));
      scaled /= 10;
    }
    while (end > size + 1 && bytes[end - 1] == '0') {
      end--;
    }
    size = end;
    return this;
  }

  /** Appends {@code [v0,v1,...]}. */
  JsonOut vector(float[] vector) {
    ensure(vector.length * 14 + 2);
    raw('[');
    for (int i = 0; i < vector.length; i++) {
      if (i > 0) {
        raw(',');
      }
      number(vector[i]);
    }
    return raw(']');
  }

  /** Appends the vector as a JSON string of base64 little-endian float32 bytes. */
  JsonOut base64Vector(float[] vector) {
    byte[] encoded = Base64.getEncoder().encode(SimulatedEmbeddings.toLittleEndianBytes(vector));
    ensure(encoded.length + 2);
    bytes[size++] = '"';
    System.arraycopy(encoded, 0, bytes, size, encoded.length);
    size += encoded.length;
    bytes[size++] = '"';
    return this;
  }
}
