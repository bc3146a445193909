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
 * slices, sorted by length, each sized to a time budget from the time the model actually took per
 * padded cell in recent slices of its kind ({@link #sliceDone}: a moving average, so it follows the
 * machine's load). While no query was seen for {@link #QUERY_ACTIVE_WINDOW} a slice may take {@link
 * #IDLE_SLICE_BUDGET} (at most {@value #IDLE_SLICE_CELLS} padded token cells and {@value
 * #IDLE_SLICE_ROWS} texts, which is how the ONNX runner cuts its own sub-batches, so nothing is
 * lost), so the first query after a pause waits for at most that; while queries arrive a slice may
 * take {@link #BUSY_SLICE_BUDGET}, so a query waits for at most one small slice. Until a slice of
 * the kind was measured the sizes are {@value #IDLE_SLICE_CELLS} and {@value #BUSY_SLICE_CELLS}
 * cells (the latter about 30 ms of MiniLM on 2 quiet cores). Per cell, small slices cost more than
 * large ones (fixed cost per call), so each size settles where a slice takes about its budget.
 *
 * <p>Thread-safe; the waits are interruptible and hold no monitor.
 */
final class ModelGate {
  static final int IDLE_SLICE_CELLS = 2_048;
  static final int IDLE_SLICE_ROWS = 32;
  static final int BUSY_SLICE_CELLS = 256;
  static final Duration QUERY_ACTIVE_WINDOW = Duration.ofSeconds(2);

  /** How long a passage slice may hold the model while queries arrive. */
  static final Duration BUSY_SLICE_BUDGET = Duration.ofMillis(20);

  /**
   * How long a passage slice may hold the model while no query is active: what the first query
   * after a pause may wait (larger slices than this gain the ingest little).
   */
  static final Duration IDLE_SLICE_BUDGET = Duration.ofMillis(60);

  /** The smallest budgeted slice, in padded cells (a slice still holds at least one text). */
  static final int MIN_BUSY_SLICE_CELLS = 64;

  /** Weight of the newest small slice in the moving average of the time per cell. */
  private static final double SLICE_WEIGHT = 0.2;

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
  private double busyNanosPerCell; // of recent small slices; 0 until one was measured
  private double idleNanosPerCell; // of recent large slices; 0 until one was measured

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

  /**
   * The cells of the next passage slice: as many as the model runs in about {@link
   * #IDLE_SLICE_BUDGET} while no query is active (at most {@value #IDLE_SLICE_CELLS}), else in
   * about {@link #BUSY_SLICE_BUDGET}.
   */
  int sliceCells() {
    boolean busy = queriesActive();
    lock.lock();
    try {
      double perCell = busy ? busyNanosPerCell : idleNanosPerCell;
      if (perCell <= 0) {
        return busy ? BUSY_SLICE_CELLS : IDLE_SLICE_CELLS;
      }
      Duration budget = busy ? BUSY_SLICE_BUDGET : IDLE_SLICE_BUDGET;
      return cellsFor(budget, perCell);
    } finally {
      lock.unlock();
    }
  }

  /** Padded cells that take about {@code budget} at {@code nanosPerCell}, within the bounds. */
  private static int cellsFor(Duration budget, double nanosPerCell) {
    return (int)
        Math.clamp(budget.toNanos() / nanosPerCell, MIN_BUSY_SLICE_CELLS, IDLE_SLICE_CELLS);
  }

  /**
   * A passage slice of {@code cells} padded cells (see {@link #cells}), cut while queries were
   * active ({@code busy}) or not, took {@code nanos} at the model: this teaches that kind of
   * slice's size.
   */
  void sliceDone(boolean busy, long cells, long nanos) {
    if (cells <= 0 || nanos <= 0) {
      return;
    }
    double perCell = (double) nanos / cells;
    lock.lock();
    try {
      if (busy) {
        busyNanosPerCell = average(busyNanosPerCell, perCell);
      } else {
        idleNanosPerCell = average(idleNanosPerCell, perCell);
      }
    } finally {
      lock.unlock();
    }
  }

  private static double average(double old, double sample) {
    return old <= 0 ? sample : (1 - SLICE_WEIGHT) * old + SLICE_WEIGHT * sample;
  }

  /** Padded cells of the slice {@code order[from, end)} (sorted by ascending length). */
  static long cells(int[] order, int[] tokens, int from, int end) {
    return (long) (end - from) * (tokens[order[end - 1]] + SPECIAL_TOKENS);
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
