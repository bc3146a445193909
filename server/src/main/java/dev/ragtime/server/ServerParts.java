package dev.ragtime.server;

import dev.ragtime.chunk.TokenCounter;
import dev.ragtime.document.DocumentParsers;
import dev.ragtime.embed.EmbeddingModel;
import dev.ragtime.embed.ModelInfo;
import dev.ragtime.index.Index;
import dev.ragtime.index.IndexStore;
import dev.ragtime.index.SearchableIndex;
import dev.ragtime.ingest.IngestQueue;
import dev.ragtime.ingest.Ingestor;
import dev.ragtime.search.Searcher;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the service is built from, made once by the composition root (the same parts the CLI uses),
 * so the server holds no second wiring.
 *
 * @param collections where collections live
 * @param model the embedding model's identity (every collection is opened with it)
 * @param ingestors builds the ingestor of an open index (chunker, pipeline, ingest settings)
 * @param searchers builds the searcher of an open index (pipeline, search settings)
 * @param parsers parses posted content
 * @param executor runs ingestion jobs (virtual threads); owned by the composition root
 * @param meters every meter of the process, scraped at {@code /metrics}
 * @param modelLoaded whether the embedding model is loaded (for {@code /readyz})
 * @param warmUp loads the model; the server runs it in the background at start
 * @param clock for job timestamps
 * @param embedder the one embedding pipeline, for {@code /v1/embeddings} (may be built lazily)
 * @param tokens counts tokens as the model does (for the gateway's {@code usage})
 * @param queue the durable ingestion queue that posted documents go to (the PostgreSQL store's,
 *     taken by {@code ragtime worker} processes); empty to ingest them in this process
 */
public record ServerParts(
    IndexStore collections,
    Supplier<ModelInfo> model,
    Function<Index, Ingestor> ingestors,
    Function<SearchableIndex, Searcher> searchers,
    DocumentParsers parsers,
    Executor executor,
    PrometheusMeterRegistry meters,
    BooleanSupplier modelLoaded,
    Runnable warmUp,
    Clock clock,
    Supplier<EmbeddingModel> embedder,
    TokenCounter tokens,
    Optional<IngestQueue> queue) {
  public ServerParts {
    Objects.requireNonNull(collections, "collections");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(ingestors, "ingestors");
    Objects.requireNonNull(searchers, "searchers");
    Objects.requireNonNull(parsers, "parsers");
    Objects.requireNonNull(executor, "executor");
    Objects.requireNonNull(meters, "meters");
    Objects.requireNonNull(modelLoaded, "modelLoaded");
    Objects.requireNonNull(warmUp, "warmUp");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(embedder, "embedder");
    Objects.requireNonNull(tokens, "tokens");
    Objects.requireNonNull(queue, "queue");
  }

  /** Parts without a durable queue: the service ingests posted documents itself. */
  public ServerParts(
      IndexStore collections,
      Supplier<ModelInfo> model,
      Function<Index, Ingestor> ingestors,
      Function<SearchableIndex, Searcher> searchers,
      DocumentParsers parsers,
      Executor executor,
      PrometheusMeterRegistry meters,
      BooleanSupplier modelLoaded,
      Runnable warmUp,
      Clock clock,
      Supplier<EmbeddingModel> embedder,
      TokenCounter tokens) {
    this(
        collections,
        model,
        ingestors,
        searchers,
        parsers,
        executor,
        meters,
        modelLoaded,
        warmUp,
        clock,
        embedder,
        tokens,
        Optional.empty());
  }

  /** These parts with posted documents going to {@code queue}. */
  public ServerParts withQueue(IngestQueue queue) {
    return new ServerParts(
        collections,
        model,
        ingestors,
        searchers,
        parsers,
        executor,
        meters,
        modelLoaded,
        warmUp,
        clock,
        embedder,
        tokens,
        Optional.of(queue));
  }
}
