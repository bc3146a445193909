package dev.ragtime.index;

import dev.ragtime.embed.ModelInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.LockObtainFailedException;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.IOUtils;

/**
 * One collection as an on-disk Lucene index (see {@link LuceneSchema} for the document layout).
 *
 * <p>Design: a single {@link IndexWriter} applies writes, serialised by {@link #writeLock}; every
 * {@link #write} and {@link #delete} ends with one commit (fsync) and then refreshes a {@link
 * SearcherManager} that opens readers on <em>commit points</em> only. Readers therefore never see
 * uncommitted changes: whatever a snapshot shows is durable, and because the refresh happens only
 * between batches, a snapshot shows each document entirely in one version. If applying a batch
 * fails, the writer is rolled back to the last commit and reopened, so no half-applied batch is
 * ever committed by a later write.
 *
 * <p>The Lucene write lock makes a collection writable by one open {@code LuceneIndex} at a time,
 * across processes.
 *
 * <p>Thread-safe. Snapshots must be closed before the index is closed.
 */
final class LuceneIndex implements Index {
  private final String collection;
  private final ModelInfo model;
  private final IndexConfig config;
  private final Directory directory;
  private final Analyzer analyzer;
  private final SearcherManager searchers;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ReentrantLock writeLock = new ReentrantLock();

  /**
   * Guarded by {@link #writeLock}. Null after a failed write whose recovery could not reopen the
   * writer; the next write tries again.
   */
  private IndexWriter writer;

  private LuceneIndex(
      String collection,
      ModelInfo model,
      IndexConfig config,
      Directory directory,
      Analyzer analyzer,
      IndexWriter writer,
      SearcherManager searchers) {
    this.collection = collection;
    this.model = model;
    this.config = config;
    this.directory = directory;
    this.analyzer = analyzer;
    this.writer = writer;
    this.searchers = searchers;
  }

  /**
   * Opens the index in {@code path}, creating it (and recording {@code requested}) if there is
   * none.
   *
   * @throws ModelMismatchException if the index was built with an incompatible model
   * @throws IllegalStateException if another open index (in this or another process) holds the
   *     collection, or the directory holds something that is not a Ragtime index
   * @throws UncheckedIOException on I/O failure
   */
  static LuceneIndex open(String collection, Path path, ModelInfo requested, IndexConfig config) {
    Directory directory;
    try {
      directory = FSDirectory.open(path);
    } catch (IOException e) {
      throw new UncheckedIOException("opening collection '" + collection + "' failed", e);
    }
    return open(collection, directory, requested, config);
  }

  /**
   * Like {@link #open(String, Path, ModelInfo, IndexConfig)} on a given directory, which the index
   * then owns: it is closed with the index, or at once if opening fails.
   */
  static LuceneIndex open(
      String collection, Directory directory, ModelInfo requested, IndexConfig config) {
    Analyzer analyzer = null;
    IndexWriter writer = null;
    SearcherManager searchers = null;
    try {
      analyzer = new EnglishAnalyzer();
      writer = newWriter(collection, directory, analyzer, config);
      if (DirectoryReader.indexExists(directory)) {
        Map<String, String> userData = SegmentInfos.readLatestCommit(directory).getUserData();
        ModelInfo recorded = LuceneSchema.recordedModel(collection, userData);
        if (!recorded.compatibleWith(requested)) {
          throw new ModelMismatchException(
              collection, recorded, requested, LuceneCollections.reindexAdvice(collection));
        }
        writer.setLiveCommitData(Map.copyOf(userData).entrySet(), false);
      } else {
        writer.setLiveCommitData(
            Map.copyOf(LuceneSchema.userData(requested, UUID.randomUUID().toString())).entrySet());
        writer.commit();
      }
      searchers = new SearcherManager(directory, null);
      return new LuceneIndex(collection, requested, config, directory, analyzer, writer, searchers);
    } catch (IOException | RuntimeException e) {
      closeQuietly(e, searchers, writer, analyzer, directory);
      if (e instanceof IOException io) {
        throw new UncheckedIOException("opening collection '" + collection + "' failed", io);
      }
      throw (RuntimeException) e;
    }
  }

  private static IndexWriter newWriter(
      String collection, Directory directory, Analyzer analyzer, IndexConfig config)
      throws IOException {
    IndexWriterConfig iwc =
        new IndexWriterConfig(analyzer)
            .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
            .setSimilarity(new BM25Similarity())
            .setRAMBufferSizeMB(config.ramBufferMb())
            .setCodec(new HnswCodec(config))
            .setCommitOnClose(true);
    try {
      return new IndexWriter(directory, iwc);
    } catch (LockObtainFailedException e) {
      throw new IllegalStateException(
          "collection '"
              + collection
              + "' is already open for writing, in this or another process; close it first",
          e);
    }
  }

  /** Reads the document and chunk counts of a reader. */
  static IndexStats stats(IndexReader reader) throws IOException {
    long documents = new IndexSearcher(reader).count(LuceneSchema.headQuery());
    return new IndexStats(documents, reader.numDocs());
  }

  @Override
  public ModelInfo model() {
    return model;
  }

  @Override
  public String reindexAdvice() {
    return LuceneCollections.reindexAdvice(collection);
  }

  /** The settings this index writes new segments with. */
  IndexConfig config() {
    return config;
  }

  @Override
  public String name() {
    return collection;
  }

  @Override
  public Optional<String> contentHash(String docId) {
    Objects.requireNonNull(docId, "docId");
    return read(
        searcher -> {
          BooleanQuery query =
              new BooleanQuery.Builder()
                  .add(new TermQuery(LuceneSchema.docIdTerm(docId)), BooleanClause.Occur.FILTER)
                  .add(LuceneSchema.headQuery(), BooleanClause.Occur.FILTER)
                  .build();
          TopDocs top = searcher.search(query, 1);
          if (top.scoreDocs.length == 0) {
            return Optional.empty();
          }
          Document head =
              searcher
                  .storedFields()
                  .document(top.scoreDocs[0].doc, Set.of(LuceneSchema.CONTENT_HASH));
          return LuceneSchema.contentHash(head);
        });
  }

  @Override
  public List<Hit> chunks(String docId) {
    Objects.requireNonNull(docId, "docId");
    return read(
        searcher -> {
          var query = new TermQuery(LuceneSchema.docIdTerm(docId));
          int count = searcher.count(query);
          if (count == 0) {
            return List.of();
          }
          StoredFields stored = searcher.storedFields();
          List<Document> docs = new ArrayList<>(count);
          for (ScoreDoc d : searcher.search(query, count).scoreDocs) {
            docs.add(stored.document(d.doc));
          }
          docs.sort(Comparator.comparingInt(LuceneSchema::position));
          return docs.stream().map(d -> LuceneSchema.toHit(d, 0f)).toList();
        });
  }

  @Override
  public Set<String> documentIds() {
    return read(
        searcher -> {
          Set<String> ids = new HashSet<>();
          for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
            Terms terms = leaf.reader().terms(LuceneSchema.DOC_ID);
            if (terms == null) {
              continue;
            }
            Bits live = leaf.reader().getLiveDocs();
            TermsEnum te = terms.iterator();
            PostingsEnum postings = null;
            for (BytesRef term = te.next(); term != null; term = te.next()) {
              postings = te.postings(postings, PostingsEnum.NONE);
              for (int doc = postings.nextDoc();
                  doc != DocIdSetIterator.NO_MORE_DOCS;
                  doc = postings.nextDoc()) {
                if (live == null || live.get(doc)) {
                  ids.add(term.utf8ToString());
                  break;
                }
              }
            }
          }
          return Set.copyOf(ids);
        });
  }

  /**
   * {@inheritDoc}
   *
   * <p>Here the whole batch is one commit: it becomes durable and visible at once, or (on failure)
   * not at all. Every chunk is validated before anything is written. A document id repeated in the
   * batch ends up with its last version. Chunk ids are expected to be unique in the collection but
   * are not checked across documents.
   */
  @Override
  public void write(List<DocumentWrite> documents) {
    List<DocumentWrite> batch = List.copyOf(documents);
    ensureOpen();
    LuceneSchema.validate(batch, model);
    if (batch.isEmpty()) {
      return;
    }
    List<List<Document>> blocks = new ArrayList<>(batch.size());
    for (DocumentWrite document : batch) {
      blocks.add(LuceneSchema.toDocuments(document));
    }
    writeLock.lock();
    try {
      IndexWriter w = writer();
      try {
        for (int i = 0; i < batch.size(); i++) {
          w.updateDocuments(LuceneSchema.docIdTerm(batch.get(i).docId()), blocks.get(i));
        }
        w.commit();
      } catch (IOException | RuntimeException e) {
        throw recover("writing " + batch.size() + " documents", e);
      }
      refresh();
    } finally {
      writeLock.unlock();
    }
  }

  @Override
  public Set<String> delete(Set<String> docIds) {
    Set<String> wanted = Set.copyOf(docIds);
    ensureOpen();
    if (wanted.isEmpty()) {
      return Set.of();
    }
    writeLock.lock();
    try {
      IndexWriter w = writer();
      Set<String> present =
          read(
              searcher -> {
                Set<String> found = new LinkedHashSet<>();
                for (String id : wanted) {
                  if (searcher.count(new TermQuery(LuceneSchema.docIdTerm(id))) > 0) {
                    found.add(id);
                  }
                }
                return found;
              });
      if (present.isEmpty()) {
        return Set.of();
      }
      try {
        w.deleteDocuments(present.stream().map(LuceneSchema::docIdTerm).toArray(Term[]::new));
        w.commit();
      } catch (IOException | RuntimeException e) {
        throw recover("deleting " + present.size() + " documents", e);
      }
      refresh();
      return Set.copyOf(present);
    } finally {
      writeLock.unlock();
    }
  }

  @Override
  public IndexSnapshot snapshot() {
    ensureOpen();
    try {
      return new LuceneSnapshot(collection, model, analyzer, searchers, searchers.acquire());
    } catch (AlreadyClosedException e) {
      throw closedException(e);
    } catch (IOException e) {
      throw new UncheckedIOException("opening a snapshot of '" + collection + "' failed", e);
    }
  }

  @Override
  public IndexStats stats() {
    return read(searcher -> stats(searcher.getIndexReader()));
  }

  /**
   * Closes the writer, the searcher manager and the directory. Waits for a running write to finish.
   * Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    writeLock.lock();
    try {
      IOUtils.close(writer, searchers, analyzer, directory);
    } catch (IOException e) {
      throw new UncheckedIOException("closing collection '" + collection + "' failed", e);
    } finally {
      writer = null;
      writeLock.unlock();
    }
  }

  @Override
  public String toString() {
    return "LuceneIndex[" + collection + ", " + model + "]";
  }

  // ---------------------------------------------------------------------------------------------

  @FunctionalInterface
  private interface SearcherFunction<T> {
    T apply(IndexSearcher searcher) throws IOException;
  }

  /** Runs {@code f} on the current committed view. */
  private <T> T read(SearcherFunction<T> f) {
    ensureOpen();
    IndexSearcher searcher;
    try {
      searcher = searchers.acquire();
    } catch (AlreadyClosedException e) {
      throw closedException(e);
    } catch (IOException e) {
      throw new UncheckedIOException("reading collection '" + collection + "' failed", e);
    }
    try {
      return f.apply(searcher);
    } catch (IOException e) {
      throw new UncheckedIOException("reading collection '" + collection + "' failed", e);
    } finally {
      release(searcher);
    }
  }

  /** Returns an acquired searcher to the manager. */
  private void release(IndexSearcher searcher) {
    try {
      searchers.release(searcher);
    } catch (IOException e) {
      throw new UncheckedIOException("closing a stale reader of '" + collection + "' failed", e);
    }
  }

  /** The writer, reopened if an earlier failure left none. Caller holds {@link #writeLock}. */
  private IndexWriter writer() {
    assert writeLock.isHeldByCurrentThread();
    ensureOpen();
    if (writer != null && !writer.isOpen()) {
      // A tragic event (e.g. disk full) closed it; start again from the last commit.
      writer = null;
    }
    if (writer == null) {
      try {
        IndexWriter w = newWriter(collection, directory, analyzer, config);
        w.setLiveCommitData(
            Map.copyOf(SegmentInfos.readLatestCommit(directory).getUserData()).entrySet(), false);
        writer = w;
      } catch (IOException e) {
        throw new UncheckedIOException(
            "reopening the writer of collection '" + collection + "' failed", e);
      }
    }
    return writer;
  }

  /**
   * Discards everything since the last commit after a failed write, so the half-applied batch is
   * never committed, and reopens the writer. Returns the exception to throw.
   */
  private RuntimeException recover(String operation, Exception cause) {
    assert writeLock.isHeldByCurrentThread();
    try {
      writer.rollback();
    } catch (IOException | RuntimeException e) {
      cause.addSuppressed(e);
    }
    writer = null;
    try {
      writer();
    } catch (RuntimeException e) {
      cause.addSuppressed(e);
    }
    if (cause instanceof IOException io) {
      return new UncheckedIOException(
          operation + " in collection '" + collection + "' failed; nothing was written", io);
    }
    return (RuntimeException) cause;
  }

  /** Makes the last commit visible to new snapshots. Caller holds {@link #writeLock}. */
  private void refresh() {
    try {
      searchers.maybeRefreshBlocking();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "the change to '" + collection + "' is durable but refreshing searchers failed", e);
    }
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw closedException(null);
    }
  }

  private IllegalStateException closedException(Exception cause) {
    return new IllegalStateException("collection '" + collection + "' is closed", cause);
  }

  private static void closeQuietly(Exception primary, AutoCloseable... resources) {
    for (AutoCloseable r : resources) {
      if (r != null) {
        try {
          if (r instanceof IndexWriter w) {
            w.rollback();
          } else {
            r.close();
          }
        } catch (Exception e) {
          primary.addSuppressed(e);
        }
      }
    }
  }

  /** The current codec with our HNSW parameters for every vector field. */
  private static final class HnswCodec extends Lucene104Codec {
    private final KnnVectorsFormat vectors;

    HnswCodec(IndexConfig config) {
      this.vectors = new Lucene99HnswVectorsFormat(config.hnswM(), config.hnswBeamWidth());
    }

    @Override
    public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
      return vectors;
    }
  }
}
