package dev.ragtime.onnx;

import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The model's HuggingFace tokenizer, called through DJL's JNI binding with truncation and padding
 * switched off: we truncate ourselves, so counting and embedding share one tokenizer.
 *
 * <p>Design note. DJL's {@code HuggingFaceTokenizer} wrapper is not used: its factories call home
 * to the EC2 metadata endpoint unless told otherwise, its native loader writes {@code ~/.djl.ai},
 * and each encoding it returns carries a String and a span object per token. Here an encoding costs
 * three JNI calls and one {@code long[]}.
 *
 * <p>Thread-safe: the native tokenizer is immutable and encodes concurrently; a read-write lock
 * keeps {@link #close} from freeing it under a running call. The natives must be loaded first
 * ({@link NativeLibraries#load}).
 */
final class WordPieceTokenizer implements AutoCloseable {

  private static final TokenizersLibrary LIB = TokenizersLibrary.LIB;

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

  // Guarded by lock; 0 once closed.
  private long handle;

  private WordPieceTokenizer(long handle) {
    this.handle = handle;
  }

  /** Creates a tokenizer from the contents of a HuggingFace {@code tokenizer.json}. */
  static WordPieceTokenizer fromJson(String tokenizerJson) {
    long handle = LIB.createTokenizerFromString(tokenizerJson);
    LIB.disableTruncation(handle);
    LIB.disablePadding(handle);
    return new WordPieceTokenizer(handle);
  }

  /**
   * Token ids of {@code text} with the model's special tokens ([CLS] first, [SEP] last), not
   * truncated.
   *
   * @throws IllegalStateException when closed
   */
  long[] encodeWithSpecialTokens(String text) {
    return encode(text, true);
  }

  /**
   * Number of word-pieces in {@code text}, special tokens excluded.
   *
   * @throws IllegalStateException when closed
   */
  int countWordPieces(String text) {
    return encode(text, false).length;
  }

  private long[] encode(String text, boolean addSpecialTokens) {
    Lock read = lock.readLock();
    read.lock();
    try {
      long h = handle;
      if (h == 0) {
        throw new IllegalStateException("tokenizer is closed");
      }
      long encoding = LIB.encode(h, text, addSpecialTokens);
      try {
        return LIB.getTokenIds(encoding);
      } finally {
        LIB.deleteEncoding(encoding);
      }
    } finally {
      read.unlock();
    }
  }

  /** Frees the native tokenizer once running calls finish. Idempotent. */
  @Override
  public void close() {
    Lock write = lock.writeLock();
    write.lock();
    try {
      if (handle != 0) {
        LIB.deleteTokenizer(handle);
        handle = 0;
      }
    } finally {
      write.unlock();
    }
  }
}
