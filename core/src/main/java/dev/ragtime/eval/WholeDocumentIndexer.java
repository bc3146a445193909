package dev.ragtime.eval;

import dev.ragtime.document.ContentHash;
import dev.ragtime.document.CorpusRecord;
import dev.ragtime.document.JsonlCorpus;
import dev.ragtime.embed.EmbeddingModel;
import dev.ragtime.index.DocumentWrite;
import dev.ragtime.index.Index;
import dev.ragtime.index.IndexedChunk;
import dev.ragtime.ingest.IngestProgress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Indexes a BEIR corpus by the BEIR/MTEB protocol ({@link EvalProtocol#BEIR}): one index entry per
 * document, chunk id = document id, text {@code title + " " + text} (stripped) for BM25 and the
 * vector of that same text, which the model truncates at its maximum sequence length.
 *
 * <p>Re-use: each document's content hash covers its title and text, the protocol version and the
 * model's identity and sequence length, so a document already indexed that way is neither embedded
 * nor written again, and a repeated evaluation costs one hash lookup per document. Documents no
 * longer in the corpus are deleted.
 *
 * <p>Work is done in windows of {@code batchSize * concurrency * 4} documents: the changed ones are
 * embedded in batches of {@code batchSize} texts, up to {@code concurrency} batches at a time on
 * the executor, and the window is written as one durable commit.
 */
final class WholeDocumentIndexer {
  private static final Logger log = LoggerFactory.getLogger(WholeDocumentIndexer.class);

  /** Version of the text and hash format; part of every content hash. */
  static final String FORMAT_VERSION = "beir-whole-v1";

  private final Index index;
  private final Supplier<EmbeddingModel> model;
  private final Executor executor;
  private final int batchSize;
  private final int concurrency;

  WholeDocumentIndexer(
      Index index,
      Supplier<EmbeddingModel> model,
      Executor executor,
      int batchSize,
      int concurrency) {
    if (batchSize < 1 || concurrency < 1) {
      throw new IllegalArgumentException(
          "batchSize and concurrency must be positive, were " + batchSize + ", " + concurrency);
    }
    this.index = index;
    this.model = model;
    this.executor = executor;
    this.batchSize = batchSize;
    this.concurrency = concurrency;
  }

  /** The text that is both indexed for BM25 and embedded: {@code title + " " + text}, stripped. */
  static String documentText(CorpusRecord record) {
    return (record.title() + " " + record.text()).strip();
  }

  IndexingSummary index(String collection, JsonlCorpus corpus, IngestProgress progress) {
    long start = System.nanoTime();
    var m = index.model();
    String fingerprint =
        ContentHash.fingerprint(
            FORMAT_VERSION,
            m.id(),
            Integer.toString(m.dimension()),
            Integer.toString(m.maxTokens()));
    Set<String> seen = new HashSet<>();
    long documents = 0;
    long written = 0;
    long unchanged = 0;
    long skipped = 0;
    int window = batchSize * concurrency * 4;
    List<Pending> pending = new ArrayList<>(window);
    try (Stream<CorpusRecord> records = corpus.stream()) {
      Iterator<CorpusRecord> it = records.iterator();
      while (it.hasNext()) {
        CorpusRecord r = it.next();
        documents++;
        if (!seen.add(r.id())) {
          log.warn("duplicate document id '{}' in the corpus; the first one is kept", r.id());
          skipped++;
          progress.failedDocument();
          continue;
        }
        String text = documentText(r);
        if (text.isEmpty()) {
          skipped++;
          progress.failedDocument();
          continue;
        }
        String hash = ContentHash.fingerprint(fingerprint, r.title(), r.text());
        if (index.contentHash(r.id()).filter(hash::equals).isPresent()) {
          unchanged++;
          progress.unchangedDocument();
          continue;
        }
        pending.add(new Pending(r.id(), hash, text));
        if (pending.size() == window) {
          written += flush(pending, progress);
          log.info("{}: {} documents read, {} written", collection, documents, written);
        }
      }
    }
    written += flush(pending, progress);
    Set<String> gone = new HashSet<>(index.documentIds());
    gone.removeAll(seen);
    long removed = gone.isEmpty() ? 0 : index.delete(gone).size();
    return new IndexingSummary(
        collection,
        documents,
        written,
        unchanged,
        skipped,
        removed,
        written,
        index.stats().chunks(),
        Duration.ofNanos(System.nanoTime() - start));
  }

  /** Embeds and writes the pending documents as one commit; returns how many were written. */
  private long flush(List<Pending> pending, IngestProgress progress) {
    if (pending.isEmpty()) {
      return 0;
    }
    List<CompletableFuture<List<float[]>>> futures = new ArrayList<>();
    List<CompletableFuture<List<float[]>>> running = new ArrayList<>();
    for (int from = 0; from < pending.size(); from += batchSize) {
      List<String> texts =
          pending.subList(from, Math.min(pending.size(), from + batchSize)).stream()
              .map(Pending::text)
              .toList();
      if (running.size() == concurrency) {
        await(running.remove(0));
      }
      CompletableFuture<List<float[]>> f =
          CompletableFuture.supplyAsync(() -> model.get().embed(texts), executor);
      futures.add(f);
      running.add(f);
    }
    List<DocumentWrite> writes = new ArrayList<>(pending.size());
    int i = 0;
    for (CompletableFuture<List<float[]>> f : futures) {
      List<float[]> vectors = await(f);
      progress.embeddedChunks(vectors.size());
      int expected = Math.min(batchSize, pending.size() - i);
      if (vectors.size() != expected) {
        throw new IllegalStateException(
            "the embedding model returned "
                + vectors.size()
                + " vectors for "
                + expected
                + " texts");
      }
      for (float[] v : vectors) {
        Pending p = pending.get(i++);
        writes.add(
            new DocumentWrite(
                p.id(), p.hash(), List.of(new IndexedChunk(p.id(), 0, p.text(), v, Map.of()))));
      }
    }
    index.write(writes);
    for (int n = 0; n < writes.size(); n++) {
      progress.written(1);
    }
    pending.clear();
    return writes.size();
  }

  private static <T> T await(CompletableFuture<T> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      f.cancel(true);
      throw new IllegalStateException("indexing interrupted", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException r) {
        throw r;
      }
      if (c instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException("embedding failed: " + c, c);
    }
  }

  private record Pending(String id, String hash, String text) {}
}
