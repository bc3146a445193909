package dev.ragtime.index;

import dev.ragtime.embed.ModelInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexNotFoundException;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ReferenceManager;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.IOUtils;

/**
 * A collection opened for searching only: readers on the directory's commit points, with no {@code
 * IndexWriter} and no lock, so it works while another {@link LuceneIndex} (in this or another
 * process) writes the collection, and never stands in a writer's way.
 *
 * <p>Design: {@link #snapshot} first refreshes when at least the refresh interval has passed since
 * the last refresh. A refresh reads the latest commit point; if it is the one being searched,
 * nothing else happens, otherwise a new reader is opened that shares the unchanged segments with
 * the old one. A long-lived reader therefore follows the writer's commits with at most one interval
 * of delay, and a snapshot, as always, sees whole commits only. Lucene would mistake an index that
 * was dropped and rebuilt in the same place for a later version of the old one, so a refresh
 * compares the index id recorded at creation (see {@link LuceneSchema#USER_DATA_INDEX_ID}) and
 * opens a rebuilt index afresh. Every reader is checked against the requested model, so a
 * collection rebuilt with another model is refused rather than searched.
 *
 * <p>Thread-safe. Snapshots must be closed before the index is closed.
 */
final class LuceneReadOnlyIndex implements SearchableIndex {
  private final String collection;
  private final Path path;
  private final ModelInfo model;
  private final Directory directory;
  private final Analyzer analyzer;
  private final Searchers searchers;
  private final long refreshIntervalNanos;
  private final LongSupplier nanoTime;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** The value of {@link #nanoTime} at the last successful refresh. */
  private volatile long lastRefresh;

  private LuceneReadOnlyIndex(
      String collection,
      Path path,
      ModelInfo model,
      Directory directory,
      Analyzer analyzer,
      Searchers searchers,
      Duration refreshInterval,
      LongSupplier nanoTime) {
    this.collection = collection;
    this.path = path;
    this.model = model;
    this.directory = directory;
    this.analyzer = analyzer;
    this.searchers = searchers;
    this.refreshIntervalNanos = refreshInterval.toNanos();
    this.nanoTime = nanoTime;
    this.lastRefresh = nanoTime.getAsLong();
  }

  /**
   * Opens the index in {@code path} for reading.
   *
   * @param refreshInterval the least time between two checks for a newer commit; zero checks on
   *     every snapshot
   * @param nanoTime a monotonic clock in nanoseconds, such as {@code System::nanoTime}
   * @throws CollectionNotFoundException if there is no index in {@code path}
   * @throws ModelMismatchException if the index was built with a model incompatible with {@code
   *     requested}
   * @throws IllegalStateException if the directory holds something that is not a Ragtime index
   * @throws UncheckedIOException on I/O failure
   */
  static LuceneReadOnlyIndex open(
      String collection,
      Path path,
      ModelInfo requested,
      Duration refreshInterval,
      LongSupplier nanoTime) {
    if (!Files.isDirectory(path)) {
      throw new CollectionNotFoundException(collection);
    }
    Directory directory = null;
    Analyzer analyzer = null;
    try {
      directory = FSDirectory.open(path);
      analyzer = new EnglishAnalyzer();
      Searchers searchers = new Searchers(collection, requested, directory);
      return new LuceneReadOnlyIndex(
          collection, path, requested, directory, analyzer, searchers, refreshInterval, nanoTime);
    } catch (IndexNotFoundException e) {
      closeAfterFailure(e, analyzer, directory);
      throw new CollectionNotFoundException(collection);
    } catch (IOException | RuntimeException e) {
      closeAfterFailure(e, analyzer, directory);
      if (e instanceof IOException io) {
        throw new UncheckedIOException("opening collection '" + collection + "' failed", io);
      }
      throw (RuntimeException) e;
    }
  }

  @Override
  public String name() {
    return collection;
  }

  @Override
  public ModelInfo model() {
    return model;
  }

  @Override
  public String reindexAdvice() {
    return LuceneCollections.reindexAdvice(collection);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Sees every commit made at least one refresh interval before.
   *
   * @throws CollectionNotFoundException if the collection was dropped since it was opened
   * @throws ModelMismatchException if it was since rebuilt with an incompatible model
   */
  @Override
  public IndexSnapshot snapshot() {
    ensureOpen();
    refreshIfDue();
    try {
      return new LuceneSnapshot(collection, model, analyzer, searchers, searchers.acquire());
    } catch (AlreadyClosedException e) {
      throw closedException(e);
    } catch (IOException e) {
      throw new UncheckedIOException("opening a snapshot of '" + collection + "' failed", e);
    }
  }

  /** Closes the readers and the directory. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      IOUtils.close(searchers, analyzer, directory);
    } catch (IOException e) {
      throw new UncheckedIOException("closing collection '" + collection + "' failed", e);
    }
  }

  @Override
  public String toString() {
    return "LuceneReadOnlyIndex[" + collection + ", " + model + "]";
  }

  private void refreshIfDue() {
    long now = nanoTime.getAsLong();
    if (now - lastRefresh < refreshIntervalNanos) {
      return;
    }
    try {
      // Blocking: if another thread is refreshing, wait for it rather than use an older reader.
      searchers.maybeRefreshBlocking();
    } catch (AlreadyClosedException e) {
      throw closedException(e);
    } catch (IOException e) {
      if (!exists()) {
        throw new CollectionNotFoundException(collection);
      }
      throw new UncheckedIOException("refreshing collection '" + collection + "' failed", e);
    }
    lastRefresh = now;
  }

  private boolean exists() {
    try {
      return Files.isDirectory(path) && DirectoryReader.indexExists(directory);
    } catch (IOException e) {
      return false;
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

  private static void closeAfterFailure(Exception primary, AutoCloseable... resources) {
    for (AutoCloseable r : resources) {
      if (r != null) {
        try {
          r.close();
        } catch (Exception e) {
          primary.addSuppressed(e);
        }
      }
    }
  }

  /**
   * Reference-counted searchers on the latest commit of one directory, each checked against the
   * requested model.
   */
  private static final class Searchers extends ReferenceManager<IndexSearcher> {
    private final String collection;
    private final ModelInfo requested;
    private final Directory directory;

    Searchers(String collection, ModelInfo requested, Directory directory) throws IOException {
      this.collection = collection;
      this.requested = requested;
      this.directory = directory;
      current = checked(DirectoryReader.open(directory));
    }

    @Override
    protected IndexSearcher refreshIfNeeded(IndexSearcher searcher) throws IOException {
      DirectoryReader reader = (DirectoryReader) searcher.getIndexReader();
      SegmentInfos latest = SegmentInfos.readLatestCommit(directory);
      Map<String, String> currentData = reader.getIndexCommit().getUserData();
      Optional<String> currentId = LuceneSchema.indexId(currentData);
      if (!currentId.equals(LuceneSchema.indexId(latest.getUserData()))) {
        // Another index in the same place: share nothing with the old one.
        return checked(DirectoryReader.open(directory));
      }
      if (latest.getVersion() == reader.getVersion()) {
        return null;
      }
      DirectoryReader next = DirectoryReader.openIfChanged(reader);
      return next == null ? null : checked(next);
    }

    /** A searcher on {@code reader} if its commit records a compatible model; else closes it. */
    private IndexSearcher checked(DirectoryReader reader) throws IOException {
      try {
        ModelInfo recorded =
            LuceneSchema.recordedModel(collection, reader.getIndexCommit().getUserData());
        if (!recorded.compatibleWith(requested)) {
          throw new ModelMismatchException(
              collection, recorded, requested, LuceneCollections.reindexAdvice(collection));
        }
        return new IndexSearcher(reader);
      } catch (IOException | RuntimeException e) {
        closeAfterFailure(e, reader);
        throw e;
      }
    }

    @Override
    protected boolean tryIncRef(IndexSearcher searcher) {
      return searcher.getIndexReader().tryIncRef();
    }

    @Override
    protected void decRef(IndexSearcher searcher) throws IOException {
      searcher.getIndexReader().decRef();
    }

    @Override
    protected int getRefCount(IndexSearcher searcher) {
      return searcher.getIndexReader().getRefCount();
    }
  }
}
