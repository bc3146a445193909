package dev.ragtime.eval;

import dev.ragtime.search.SearchConfig;
import dev.ragtime.search.SearchMode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The result of evaluating one split of a dataset.
 *
 * @param dataset the dataset's name
 * @param split the split whose queries and judgments were used
 * @param queries how many queries were evaluated (those with at least one relevant document)
 * @param protocol how documents were indexed and scored
 * @param search the fusion settings used by the hybrid mode
 * @param modes results per search mode, in the order they were run
 */
public record EvalReport(
    String dataset,
    String split,
    int queries,
    EvalProtocol protocol,
    SearchConfig search,
    Map<SearchMode, ModeResult> modes) {
  public EvalReport {
    Objects.requireNonNull(dataset, "dataset");
    Objects.requireNonNull(split, "split");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(search, "search");
    modes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(modes));
  }

  /** Whether documents were chunked ({@link EvalProtocol#CHUNKED}). */
  public boolean chunked() {
    return protocol == EvalProtocol.CHUNKED;
  }
}
