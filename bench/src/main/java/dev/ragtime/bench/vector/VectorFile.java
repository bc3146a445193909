package dev.ragtime.bench.vector;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Vectors in a flat file: little-endian float32, one vector after another, no header (the dimension
 * is the caller's). Appending is how a long embedding run checkpoints: a run that stops resumes
 * after the last whole vector.
 */
final class VectorFile {
  private VectorFile() {}

  /** How many whole vectors of {@code dimension} the file holds; 0 if it does not exist. */
  static int count(Path file, int dimension) throws IOException {
    if (!file.toFile().exists()) {
      return 0;
    }
    return (int) (file.toFile().length() / ((long) dimension * Float.BYTES));
  }

  /** Appends {@code vectors}, after truncating any partial vector left by an interrupted write. */
  static void append(Path file, List<float[]> vectors, int dimension) throws IOException {
    try (FileChannel ch =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
      long whole = ch.size() / ((long) dimension * Float.BYTES) * dimension * Float.BYTES;
      ch.truncate(whole);
      ch.position(whole);
      ByteBuffer buf =
          ByteBuffer.allocate(vectors.size() * dimension * Float.BYTES)
              .order(ByteOrder.LITTLE_ENDIAN);
      for (float[] v : vectors) {
        if (v.length != dimension) {
          throw new IllegalArgumentException(
              "vector of dimension " + v.length + ", expected " + dimension);
        }
        buf.asFloatBuffer().put(v);
        buf.position(buf.position() + dimension * Float.BYTES);
      }
      buf.flip();
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
    }
  }

  /** Reads the first {@code n} vectors. */
  static float[][] read(Path file, int n, int dimension) throws IOException {
    int available = count(file, dimension);
    if (available < n) {
      throw new IllegalArgumentException(
          file + " holds " + available + " vectors of dimension " + dimension + ", need " + n);
    }
    float[][] out = new float[n][dimension];
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buf =
          ByteBuffer.allocate(4096 * dimension * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
      int next = 0;
      while (next < n) {
        buf.clear();
        int want = Math.min(4096, n - next);
        buf.limit(want * dimension * Float.BYTES);
        while (buf.hasRemaining()) {
          if (ch.read(buf) < 0) {
            throw new IOException("unexpected end of " + file);
          }
        }
        buf.flip();
        var floats = buf.asFloatBuffer();
        for (int i = 0; i < want; i++) {
          floats.get(out[next + i]);
        }
        next += want;
      }
    }
    return out;
  }
}
