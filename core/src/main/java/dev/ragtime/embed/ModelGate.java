package dev.ragtime.embed;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Lets queries overtake passages at the in-process model, which runs one inference at a time (it
 * holds one set of buffers and already uses every core). One model call at a time passes the gate;
 * a waiting query always goes before a waiting passage slice.
 *
 * <p>A long passage request cannot be interrupted, so {@link LocalSender} feeds it to the model in
 * slices, sorted by length: large ones ({@value #IDLE_SLICE_CELLS} padded token cells, at most
 * {@value #IDLE_SLICE_ROWS} texts, which is how the ONNX runner cuts its own sub-batches, so
 * nothing is lost) while no query was seen for {@link #QUERY_ACTIVE_WINDOW}, and small ones
 * ({@value #BUSY_SLICE_CELLS} cells, about 30 ms of MiniLM on 2 cores) while queries arrive, so a
 * query waits for at most one small slice.
 *
 * <p>Thread-safe; the waits are interruptible and hold no monitor.
 */
final class ModelGate {
  static final int IDLE_SLICE_CELLS = 2_048;
  static final int IDLE_SLICE_ROWS = 32;
  static final int BUSY_SLICE_CELLS = 256;
  static final Duration QUERY_ACTIVE_WINDOW = Duration.ofSeconds(2);

  /** Special tokens a BERT-style model adds to each text ([CLS], [SEP]). */
  private static final int SPECIAL_TOKENS = 2;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition free = lock.newCondition();
  private final LongSupplier nanoTime;
  // Guarded by lock.
  private boolean busy;
  private int queriesWaiting;
  private long lastQueryNanos;
  private boolean querySeen;

  ModelGate(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  ModelGate() {
    this(System::nanoTime);
  }

  /** Waits for the model; a query goes before any waiting passage slice. */
  void acquire(EmbeddingModel.Purpose purpose) throws InterruptedException {
    lock.lockInterruptibly();
    try {
      if (purpose == EmbeddingModel.Purpose.QUERY) {
        lastQueryNanos = nanoTime.getAsLong();
        querySeen = true;
        queriesWaiting++;
        try {
          while (busy) {
            free.await();
          }
        } finally {
          queriesWaiting--;
        }
      } else {
        while (busy || queriesWaiting > 0) {
          free.await();
        }
      }
      busy = true;
    } finally {
      lock.unlock();
    }
  }

  void release() {
    lock.lock();
    try {
      busy = false;
      free.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Queries waiting for the model now. */
  int queriesWaiting() {
    lock.lock();
    try {
      return queriesWaiting;
    } finally {
      lock.unlock();
    }
  }

  /** Whether a query passed (or waited at) the gate within {@link #QUERY_ACTIVE_WINDOW}. */
  boolean queriesActive() {
    lock.lock();
    try {
      return querySeen && nanoTime.getAsLong() - lastQueryNanos <= QUERY_ACTIVE_WINDOW.toNanos();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The next slice of {@code order} (indices into {@code tokens}, sorted by ascending length)
   * starting at {@code from}: as many texts as fit {@code maxCells} padded cells (rows times the
   * longest row, special tokens included) and {@code maxRows}, at least one. Returns its end.
   */
  static int sliceEnd(int[] order, int[] tokens, int from, int maxCells, int maxRows) {
    int end = from + 1;
    int longest = tokens[order[from]] + SPECIAL_TOKENS;
    while (end < order.length && end - from < maxRows) {
      int next = Math.max(longest, tokens[order[end]] + SPECIAL_TOKENS);
      if ((long) next * (end - from + 1) > maxCells) {
        break;
      }
      longest = next;
      end++;
    }
    return end;
  }

  /** Indices of {@code tokens} sorted by ascending length (stable). */
  static int[] byLength(int[] tokens) {
    Integer[] boxed = new Integer[tokens.length];
    for (int i = 0; i < boxed.length; i++) {
      boxed[i] = i;
    }
    Arrays.sort(boxed, (a, b) -> Integer.compare(tokens[a], tokens[b]));
    return Arrays.stream(boxed).mapToInt(Integer::intValue).toArray();
  }

  /** All slices of a request at the given budget (for tests and planning). */
  static List<int[]> slices(int[] tokens, int maxCells, int maxRows) {
    int[] order = byLength(tokens);
    List<int[]> out = new ArrayList<>();
    for (int from = 0; from < order.length; ) {
      int end = sliceEnd(order, tokens, from, maxCells, maxRows);
      out.add(Arrays.copyOfRange(order, from, end));
      from = end;
    }
    return out;
  }
}
