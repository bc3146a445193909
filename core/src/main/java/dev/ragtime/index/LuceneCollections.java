package dev.ragtime.index;

import dev.ragtime.embed.ModelInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexFileNames;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.Lock;
import org.apache.lucene.store.LockObtainFailedException;

/**
 * The embedded store: one on-disk Lucene index per collection, under {@code
 * <dataDir>/collections/<name>/}. The Lucene files live in the subfolder {@code lucene/}, so other
 * per-collection state (such as an embedding cache) can sit beside them in {@link
 * #collectionDir(String)}.
 *
 * <p>Each index records the embedding model that built it; {@link #open} refuses an incompatible
 * model with {@link ModelMismatchException}. A collection can be open by one {@link Index} at a
 * time (Lucene's write lock, which also works across processes). Reading needs no lock: {@link
 * #openReadOnly} and the methods {@link #names}, {@link #exists}, {@link #recordedModel} and {@link
 * #stats} work while another process has the collection open for writing.
 *
 * <p>Collection names match {@code [A-Za-z0-9_.-]{1,64}} and are neither {@code .} nor {@code ..}.
 *
 * <p>Thread-safe and stateless apart from its paths; nothing to close.
 */
public final class LuceneCollections implements IndexStore {
  private static final String COLLECTIONS = "collections";
  private static final String LUCENE = "lucene";

  /**
   * How often, at most, a read-only index checks for a newer commit: a commit becomes visible to it
   * within this time. One check costs a read of the latest commit point.
   */
  public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofMillis(100);

  /** The longest refresh interval accepted. */
  public static final Duration MAX_REFRESH_INTERVAL = Duration.ofHours(1);

  private final Path dataDir;
  private final IndexConfig config;

  private LuceneCollections(Path dataDir, IndexConfig config) {
    this.dataDir = dataDir;
    this.config = config;
  }

  /** Collections under {@code dataDir} with {@link IndexConfig#DEFAULT}. Creates nothing yet. */
  public static LuceneCollections at(Path dataDir) {
    return at(dataDir, IndexConfig.DEFAULT);
  }

  /** Collections under {@code dataDir}, written with {@code config}. Creates nothing yet. */
  public static LuceneCollections at(Path dataDir, IndexConfig config) {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(config, "config");
    return new LuceneCollections(dataDir.toAbsolutePath().normalize(), config);
  }

  public Path dataDir() {
    return dataDir;
  }

  public IndexConfig config() {
    return config;
  }

  /**
   * How to re-index a collection of the data directory with another model (see {@link
   * SearchableIndex#reindexAdvice()}).
   */
  static String reindexAdvice(String collection) {
    return "remove the collection's folder (<data>/collections/"
        + collection
        + ") and ingest again";
  }

  /** The folder of one collection (which may not exist yet). */
  public Path collectionDir(String collection) {
    return dataDir.resolve(COLLECTIONS).resolve(IndexStore.validateName(collection));
  }

  /**
   * Opens a collection for reading and writing, creating it if it does not exist. A new index
   * records {@code model}; an existing one must have been built by a compatible model. The caller
   * closes the returned index.
   *
   * @throws ModelMismatchException if the collection was built with an incompatible model
   * @throws IllegalStateException if the collection is already open (in this or another process)
   * @throws IllegalArgumentException if the name is invalid
   * @throws UncheckedIOException on I/O failure
   */
  @Override
  public Index open(String collection, ModelInfo model) {
    Objects.requireNonNull(model, "model");
    Path path = luceneDir(collection);
    // Refuse a mismatch before taking the write lock, so the message is the same whether or not
    // another process has the collection open. LuceneIndex.open checks again under the lock.
    recordedModel(collection)
        .filter(recorded -> !recorded.compatibleWith(model))
        .ifPresent(
            recorded -> {
              throw new ModelMismatchException(
                  collection, recorded, model, reindexAdvice(collection));
            });
    try {
      Files.createDirectories(path);
    } catch (IOException e) {
      throw new UncheckedIOException("creating " + path + " failed", e);
    }
    return LuceneIndex.open(collection, path, model, config);
  }

  /**
   * Opens an existing collection with the model it records, for callers that do not know the model
   * (statistics, deletion, BM25-only search).
   *
   * @throws CollectionNotFoundException if there is no such collection
   */
  @Override
  public Index openExisting(String collection) {
    ModelInfo recorded =
        recordedModel(collection).orElseThrow(() -> new CollectionNotFoundException(collection));
    return open(collection, recorded);
  }

  /**
   * Opens an existing collection for searching only, with {@link #DEFAULT_REFRESH_INTERVAL}. Takes
   * no lock, so it works while the collection is open for writing in this or another process, and
   * sees that writer's commits (whole commits only) within the refresh interval. The caller closes
   * the returned index.
   *
   * @param model the model that query vectors will come from; must be compatible with the recorded
   *     one
   * @throws CollectionNotFoundException if there is no such collection (nothing is created)
   * @throws ModelMismatchException if the collection was built with an incompatible model
   * @throws IllegalArgumentException if the name is invalid
   * @throws UncheckedIOException on I/O failure
   */
  @Override
  public SearchableIndex openReadOnly(String collection, ModelInfo model) {
    return openReadOnly(collection, model, DEFAULT_REFRESH_INTERVAL);
  }

  /**
   * Like {@link #openReadOnly(String, ModelInfo)} with another refresh interval.
   *
   * @param refreshInterval the least time between two checks for a newer commit, in [0, {@link
   *     #MAX_REFRESH_INTERVAL}]; zero checks on every snapshot
   */
  public SearchableIndex openReadOnly(
      String collection, ModelInfo model, Duration refreshInterval) {
    return openReadOnly(collection, model, refreshInterval, System::nanoTime);
  }

  /** Like {@link #openReadOnly(String, ModelInfo, Duration)} with an injected nanosecond clock. */
  SearchableIndex openReadOnly(
      String collection, ModelInfo model, Duration refreshInterval, LongSupplier nanoTime) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(refreshInterval, "refreshInterval");
    Objects.requireNonNull(nanoTime, "nanoTime");
    if (refreshInterval.isNegative() || refreshInterval.compareTo(MAX_REFRESH_INTERVAL) > 0) {
      throw new IllegalArgumentException(
          "refreshInterval must be in [0, " + MAX_REFRESH_INTERVAL + "], was " + refreshInterval);
    }
    return LuceneReadOnlyIndex.open(
        collection, luceneDir(collection), model, refreshInterval, nanoTime);
  }

  @Override
  public boolean exists(String collection) {
    Path path = luceneDir(collection);
    if (!Files.isDirectory(path)) {
      return false;
    }
    try (Directory directory = FSDirectory.open(path)) {
      return DirectoryReader.indexExists(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + path + " failed", e);
    }
  }

  /** Names of the existing collections, sorted. */
  @Override
  public List<String> names() {
    Path root = dataDir.resolve(COLLECTIONS);
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    try (Stream<Path> children = Files.list(root)) {
      for (Path child : (Iterable<Path>) children::iterator) {
        String name = child.getFileName().toString();
        if (IndexStore.isValidName(name) && exists(name)) {
          names.add(name);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("listing " + root + " failed", e);
    }
    names.sort(Comparator.naturalOrder());
    return List.copyOf(names);
  }

  /**
   * The embedding model recorded by the collection's index, or empty if the collection does not
   * exist.
   *
   * @throws IllegalStateException if the folder holds an index that Ragtime did not write
   */
  @Override
  public Optional<ModelInfo> recordedModel(String collection) {
    Path path = luceneDir(collection);
    if (!Files.isDirectory(path)) {
      return Optional.empty();
    }
    try (Directory directory = FSDirectory.open(path)) {
      if (!DirectoryReader.indexExists(directory)) {
        return Optional.empty();
      }
      return Optional.of(
          LuceneSchema.recordedModel(
              collection, SegmentInfos.readLatestCommit(directory).getUserData()));
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + path + " failed", e);
    }
  }

  /**
   * Document and chunk counts of the last commit, read without opening the collection for writing.
   *
   * @throws CollectionNotFoundException if there is no such collection
   */
  @Override
  public IndexStats stats(String collection) {
    if (!exists(collection)) {
      throw new CollectionNotFoundException(collection);
    }
    Path path = luceneDir(collection);
    try (Directory directory = FSDirectory.open(path);
        DirectoryReader reader = DirectoryReader.open(directory)) {
      return LuceneIndex.stats(reader);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + path + " failed", e);
    }
  }

  /**
   * Deletes a collection and everything in its folder.
   *
   * <p>Crash-safe order: under the collection's write lock, the commit points ({@code segments_N},
   * oldest first) go before any other file, and that deletion is made durable, so a crash or an I/O
   * error part-way leaves either the whole last commit or a folder that is no longer an index
   * (never a commit point naming deleted files). Then the other index files and the rest of the
   * collection folder are deleted, still under the lock; the lock file and the empty folders go
   * last, once the lock is released.
   *
   * @return false if there was no such collection
   * @throws IllegalStateException if the collection is open (in this or another process)
   * @throws UncheckedIOException on I/O failure, after which the collection no longer exists once
   *     its commit points are gone
   */
  @Override
  public boolean drop(String collection) {
    return drop(collection, directory -> directory);
  }

  /** {@link #drop(String)} through {@code wrap}, which tests use to watch or fail deletions. */
  boolean drop(String collection, UnaryOperator<Directory> wrap) {
    Path dir = collectionDir(collection);
    if (!Files.isDirectory(dir)) {
      return false;
    }
    Path path = luceneDir(collection);
    if (Files.isDirectory(path)) {
      try (Directory directory = wrap.apply(FSDirectory.open(path));
          Lock lock = directory.obtainLock(IndexWriter.WRITE_LOCK_NAME)) {
        lock.ensureValid();
        deleteIndexFiles(directory);
        lock.ensureValid();
        deleteTree(dir, path);
      } catch (LockObtainFailedException e) {
        throw new IllegalStateException(
            "collection '" + collection + "' is open, in this or another process; close it first",
            e);
      } catch (IOException e) {
        throw new UncheckedIOException("deleting collection '" + collection + "' failed", e);
      }
    }
    try {
      deleteTree(dir, null);
    } catch (IOException e) {
      throw new UncheckedIOException("deleting " + dir + " failed", e);
    }
    return true;
  }

  /**
   * Deletes the Lucene files except the write lock: commit points first, oldest first (so the
   * latest commit stays whole until it goes itself), made durable before any file they name.
   */
  private static void deleteIndexFiles(Directory directory) throws IOException {
    List<String> commits = new ArrayList<>();
    List<String> others = new ArrayList<>();
    for (String file : directory.listAll()) {
      if (file.startsWith(IndexFileNames.SEGMENTS)
          || file.startsWith(IndexFileNames.PENDING_SEGMENTS)) {
        commits.add(file);
      } else if (!file.equals(IndexWriter.WRITE_LOCK_NAME)) {
        others.add(file);
      }
    }
    commits.sort(Comparator.comparingLong(LuceneCollections::generation));
    for (String file : commits) {
      directory.deleteFile(file);
    }
    // From here on the folder is no longer an index; make that durable before anything else goes.
    directory.syncMetaData();
    for (String file : others) {
      directory.deleteFile(file);
    }
  }

  /** The generation of a commit file name ({@code segments_N}, {@code pending_segments_N}). */
  private static long generation(String file) {
    try {
      return SegmentInfos.generationFromSegmentsFileName(
          file.startsWith(IndexFileNames.PENDING_SEGMENTS) ? file.substring(8) : file);
    } catch (IllegalArgumentException e) {
      return Long.MAX_VALUE; // not a commit point Lucene wrote; delete it after the real ones
    }
  }

  /**
   * Deletes everything under {@code root}, deepest first; with {@code keep} set, only what is
   * outside {@code keep} (and {@code keep}'s ancestors are kept too).
   */
  private static void deleteTree(Path root, Path keep) throws IOException {
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
        if (keep == null || !(p.startsWith(keep) || keep.startsWith(p))) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  @Override
  public String toString() {
    return "LuceneCollections[" + dataDir + ", " + config + "]";
  }

  private Path luceneDir(String collection) {
    return collectionDir(collection).resolve(LUCENE);
  }
}
