package dev.ragtime.eval;

import dev.ragtime.search.SearchMode;
import java.util.Objects;

/**
 * The outcome of running every query of a split in one search mode.
 *
 * @param mode the search mode
 * @param scores the four measures averaged over the evaluated queries
 * @param searchP50Ms median wall-clock time of one search, in milliseconds; the query vector was
 *     computed beforehand (see {@link EvalCollection}), so this is the index and fusion alone
 * @param searchP99Ms 99th percentile of the same (nearest-rank), in milliseconds
 */
public record ModeResult(
    SearchMode mode, MetricScores scores, double searchP50Ms, double searchP99Ms) {
  public ModeResult {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(scores, "scores");
  }
}
