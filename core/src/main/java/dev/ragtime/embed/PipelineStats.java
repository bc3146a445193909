package dev.ragtime.embed;

/**
 * A snapshot of the pipeline's counters, cheap to take at any time (for progress output). Counts
 * are totals since the pipeline was created; {@code inFlight}, {@code queued} and {@code
 * concurrencyLimit} are current values.
 *
 * @param textsRequested texts passed to {@code embed}
 * @param cacheHits texts answered from the cache (memory or disk)
 * @param coalesced texts that joined an identical text already in flight (single-flight)
 * @param embeddedTexts texts whose vectors came from the model or provider
 * @param requests provider requests sent (attempts, including failed ones)
 * @param inFlight provider requests in flight now
 * @param queued texts waiting in the micro-batcher now
 * @param concurrencyLimit the adaptive concurrency limit now
 * @param rateLimited HTTP 429 answers received
 * @param retries attempts that were retries of an earlier failed attempt
 * @param failures texts that failed permanently
 * @param tokens input tokens sent in successful requests (as reported by the provider, else
 *     estimated)
 * @param splits batches split in two because the provider said they were too large
 * @param failovers attempts sent to a fallback endpoint
 */
public record PipelineStats(
    long textsRequested,
    long cacheHits,
    long coalesced,
    long embeddedTexts,
    long requests,
    int inFlight,
    int queued,
    int concurrencyLimit,
    long rateLimited,
    long retries,
    long failures,
    long tokens,
    long splits,
    long failovers) {}
