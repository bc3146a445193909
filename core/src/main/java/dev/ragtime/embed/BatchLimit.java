package dev.ragtime.embed;

/**
 * The largest batch the provider is believed to accept, learned from its "batch too large" answers
 * and allowed to grow back, in the manner of {@link AimdLimit}.
 *
 * <ul>
 *   <li>A rejection of a batch of {@code n} texts lowers the limit to {@code n / 2} (at least 1),
 *       or to the largest size accepted since the last rejection if that lies between {@code n / 2}
 *       and {@code n}: a probe one size too far costs one split, not half the batch size. The
 *       smallest rejected size becomes the <em>ceiling</em>.
 *   <li>Every {@code limit} successes of batches at least as large as the limit add one (one size
 *       per round of full batches), but never reaches the ceiling: sizes known to be refused are
 *       not tried again at once.
 *   <li>After {@link #PROBE_AFTER} full successes in a row just below the ceiling, the ceiling is
 *       forgotten, so growth tries the refused size again: a provider that raised its cap is found
 *       again, and one that did not costs one split per {@code PROBE_AFTER} batches. A batch at or
 *       above the ceiling that is accepted forgets it too.
 *   <li>A rejection of a size that was accepted before means the provider lowered its cap: what was
 *       accepted is forgotten.
 * </ul>
 *
 * <p>Only "batch too large" moves it; "this one input is too long" says nothing about batch size.
 * The limit stays in {@code [1, max]}. Thread-safe; every method is short and never blocks.
 */
final class BatchLimit {
  /** Full successes in a row just below the ceiling before the next size up is tried. */
  static final int PROBE_AFTER = 64;

  private final int max;
  // Guarded by this.
  private int limit;
  private int credit; // full successes at the current limit, towards the next size
  private int ceiling; // smallest size rejected (max + 1 when none was)
  private int accepted; // largest size accepted since the last rejection
  private int streak; // full successes in a row while the ceiling stopped growth

  /** Starts at {@code max}, the configured largest batch. */
  BatchLimit(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max batch must be >= 1, was " + max);
    }
    this.max = max;
    this.limit = max;
    this.ceiling = max + 1;
  }

  /** The largest batch to form now. */
  synchronized int current() {
    return limit;
  }

  /** The smallest batch size the provider refused that is still remembered, or max + 1. */
  synchronized int ceiling() {
    return ceiling;
  }

  /** The provider refused a batch of {@code size} texts as too large. */
  synchronized void onTooLarge(int size) {
    if (size <= 1) {
      return; // a single text: nothing to learn about batches
    }
    if (size <= accepted) {
      accepted = 0; // the provider lowered its cap
    }
    ceiling = Math.min(ceiling, size);
    int lowered = Math.max(1, size / 2);
    if (accepted > lowered && accepted < size) {
      lowered = accepted;
    }
    if (lowered < limit) {
      limit = lowered;
      credit = 0;
    }
    streak = 0;
  }

  /** The provider accepted a batch of {@code size} texts. */
  synchronized void onSuccess(int size) {
    accepted = Math.max(accepted, size);
    if (size < limit) {
      return; // says nothing about the limit
    }
    if (size >= ceiling) {
      ceiling = max + 1; // what was refused is accepted now: the provider raised its cap
    }
    if (limit + 1 < ceiling) {
      if (++credit >= limit) { // one size per round of full batches
        limit = Math.min(max, limit + 1);
        credit = 0;
      }
      streak = 0;
    } else if (limit < max && ++streak >= PROBE_AFTER) {
      ceiling = max + 1; // try the refused size again: the provider may have raised its cap
      streak = 0;
    }
  }
}
