package dev.ragtime.eval;

import dev.ragtime.chunk.Chunker;
import dev.ragtime.document.ContentHash;
import dev.ragtime.document.JsonlCorpus;
import dev.ragtime.embed.EmbeddingModel;
import dev.ragtime.embed.ModelInfo;
import dev.ragtime.index.Index;
import dev.ragtime.index.IndexStore;
import dev.ragtime.ingest.CorpusSources;
import dev.ragtime.ingest.IngestConfig;
import dev.ragtime.ingest.IngestProgress;
import dev.ragtime.ingest.IngestReport;
import dev.ragtime.ingest.Ingestor;
import dev.ragtime.ingest.SourceScan;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates retrieval on BEIR-format datasets: indexes a dataset's corpus into a scratch collection
 * and hands back an {@link EvalCollection} that runs the queries of any split.
 *
 * {@snippet :
 * BeirDataset test = BeirDataset.load(dir, "test");
 * BeirEvaluation eval = BeirEvaluation.create(collections, info, model, chunker, ingest, executor);
 * try (EvalCollection c = eval.open(test, EvalProtocol.BEIR)) {
 *   EvalReport report = c.evaluate(test, List.of(SearchMode.values()), SearchConfig.DEFAULT);
 * }
 * }
 *
 * <p><b>Scratch collections.</b> The corpus is indexed into an ordinary collection of the data
 * directory named {@code eval-<dataset>-<protocol>-<hash>} (see {@link #collectionName}); the hash
 * covers the embedding model's id, dimension and sequence length and, for the chunked protocol, the
 * chunker's settings, so different settings get different collections and never mix. The collection
 * is kept: a later evaluation re-uses every document whose content hash is unchanged, so only the
 * queries are embedded again. Documents no longer in the corpus are deleted. Remove a scratch
 * collection like any other ({@link IndexStore#drop}).
 *
 * <p>Thread-safe; {@link #open} the same collection from one caller at a time.
 */
public final class BeirEvaluation {
  private static final Logger log = LoggerFactory.getLogger(BeirEvaluation.class);

  /** Texts per embedding call when indexing whole documents. */
  public static final int DEFAULT_BATCH_SIZE = 64;

  /** Embedding calls in flight at once when indexing whole documents. */
  public static final int DEFAULT_CONCURRENCY = 2;

  private final IndexStore collections;
  private final ModelInfo modelInfo;
  private final Supplier<EmbeddingModel> model;
  private final Chunker chunker;
  private final IngestConfig ingest;
  private final Executor executor;

  private BeirEvaluation(
      IndexStore collections,
      ModelInfo modelInfo,
      Supplier<EmbeddingModel> model,
      Chunker chunker,
      IngestConfig ingest,
      Executor executor) {
    this.collections = Objects.requireNonNull(collections, "collections");
    this.modelInfo = Objects.requireNonNull(modelInfo, "modelInfo");
    this.model = Objects.requireNonNull(model, "model");
    this.chunker = Objects.requireNonNull(chunker, "chunker");
    this.ingest = Objects.requireNonNull(ingest, "ingest");
    this.executor = Objects.requireNonNull(executor, "executor");
  }

  /**
   * An evaluator.
   *
   * @param collections where scratch collections are created
   * @param modelInfo the identity of the embedding model, known without loading it
   * @param model supplies the embedding model on first use (so re-using an indexed collection for
   *     BM25 alone never loads it); borrowed, never closed here
   * @param chunker the chunker of the chunked protocol (the one ingestion uses)
   * @param ingest ingestion settings of the chunked protocol
   * @param executor runs indexing tasks; virtual threads recommended
   */
  public static BeirEvaluation create(
      IndexStore collections,
      ModelInfo modelInfo,
      Supplier<EmbeddingModel> model,
      Chunker chunker,
      IngestConfig ingest,
      Executor executor) {
    return new BeirEvaluation(collections, modelInfo, model, chunker, ingest, executor);
  }

  /**
   * The scratch collection of a dataset under a protocol: {@code eval-<dataset>-<protocol>-<hash>},
   * the dataset name reduced to at most 32 characters of {@code [a-z0-9_.-]}, the hash eight hex
   * digits of the model identity (variant included) (and, for the chunked protocol, the chunker's
   * fingerprint).
   */
  public String collectionName(BeirDataset dataset, EvalProtocol protocol) {
    List<String> parts =
        new ArrayList<>(
            List.of(
                protocol.label(),
                modelInfo.id(),
                Integer.toString(modelInfo.dimension()),
                Integer.toString(modelInfo.maxTokens()),
                protocol == EvalProtocol.CHUNKED ? chunker.fingerprint() : ""));
    // Only a model with a variant adds it, so the default model's scratch collections keep their
    // names (and are re-used) across this change.
    if (!modelInfo.variant().isEmpty()) {
      parts.add(modelInfo.variant());
    }
    String settings = ContentHash.fingerprint(parts);
    String name = dataset.name().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_.-]+", "_");
    if (name.length() > 32) {
      name = name.substring(0, 32);
    }
    return "eval-" + name + "-" + protocol.label() + "-" + settings.substring(0, 8);
  }

  /**
   * Indexes the dataset's corpus into its scratch collection (re-using what is already there) and
   * opens it for evaluation. The caller closes the result.
   *
   * @throws IllegalStateException if the scratch collection is open elsewhere (for example by a
   *     concurrent evaluation of the same dataset)
   */
  public EvalCollection open(BeirDataset dataset, EvalProtocol protocol) {
    return open(dataset, protocol, new IngestProgress());
  }

  /**
   * Like {@link #open(BeirDataset, EvalProtocol)}, reporting indexing progress (documents done out
   * of the corpus size, chunks written, texts embedded) to {@code progress} as it goes.
   */
  public EvalCollection open(BeirDataset dataset, EvalProtocol protocol, IngestProgress progress) {
    Objects.requireNonNull(dataset, "dataset");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(progress, "progress");
    String name = collectionName(dataset, protocol);
    log.info("indexing {} ({} protocol) into collection {}", dataset.name(), protocol, name);
    Index index = collections.open(name, modelInfo);
    try {
      IndexingSummary summary =
          switch (protocol) {
            case BEIR -> indexWhole(name, dataset, index, progress);
            case CHUNKED -> ingestChunked(name, dataset, index, progress);
          };
      log.info("{}", summary);
      return new EvalCollection(index, protocol, model, summary, System::nanoTime);
    } catch (RuntimeException e) {
      try {
        index.close();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  private IndexingSummary indexWhole(
      String name, BeirDataset dataset, Index index, IngestProgress progress) {
    progress.total(countRecords(dataset));
    try (JsonlCorpus corpus = JsonlCorpus.open(dataset.corpusFile())) {
      return new WholeDocumentIndexer(
              index, model, executor, DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY)
          .index(name, corpus, progress);
    }
  }

  /** The number of records in the corpus (read once more, without keeping anything). */
  private static long countRecords(BeirDataset dataset) {
    try (JsonlCorpus corpus = JsonlCorpus.open(dataset.corpusFile());
        var records = corpus.stream()) {
      return records.count();
    }
  }

  private IndexingSummary ingestChunked(
      String name, BeirDataset dataset, Index index, IngestProgress progress) {
    Ingestor ingestor = Ingestor.create(index, model, chunker, ingest, executor);
    IngestReport report;
    try (JsonlCorpus corpus = JsonlCorpus.open(dataset.corpusFile())) {
      report =
          ingestor.ingest(
              CorpusSources.of(corpus, dataset.corpusFile().getFileName().toString()),
              countRecords(dataset),
              SourceScan.empty(),
              true,
              progress);
    }
    long written = report.documents() - report.unchanged() - report.failed();
    return new IndexingSummary(
        name,
        report.documents(),
        written,
        report.unchanged(),
        report.failed(),
        report.pruned(),
        report.embedded(),
        index.stats().chunks(),
        report.elapsed());
  }
}
