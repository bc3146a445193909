package dev.ragtime.embed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.SerialMergeScheduler;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;

/**
 * The persistent tier of the vector cache: a small Lucene index of key → vector, one directory per
 * model namespace.
 *
 * <p><b>Why Lucene:</b> it is already a dependency, and its commit protocol is what we need. New
 * entries are added to an {@link IndexWriter} and become durable at {@link #commit()}: Lucene
 * writes and fsyncs the segment files, then publishes them by atomically writing a new {@code
 * segments_N}; on open only the last complete commit is visible, and every file carries a checksum
 * footer. A crash therefore loses at most the uncommitted entries (they are just cache misses next
 * time) and a torn write is never read back. On top of that each stored value carries a CRC32C of
 * key and vector, checked on every read, so even a corrupted stored field yields a miss, never a
 * wrong vector.
 *
 * <p>Reads see committed entries through a {@link SearcherManager} refreshed after each commit;
 * entries added since the last commit are served from an in-memory map until then. Commits happen
 * every {@value #COMMIT_EVERY} new entries, on {@link #commit()} and on {@link #close()}.
 *
 * <p>Thread-safe. Holds Lucene's write lock on the directory until closed.
 */
final class DiskVectorStore implements PersistentVectorCache {
  static final int COMMIT_EVERY = 4_096;
  private static final String KEY = "k";
  private static final String VALUE = "v";
  private static final String NAMESPACE = "ragtime.embedding.namespace";

  private final Directory directory;
  private final IndexWriter writer;
  private final SearcherManager searchers;
  private final ConcurrentHashMap<String, float[]> uncommitted = new ConcurrentHashMap<>();
  private final ReentrantLock commitLock = new ReentrantLock();

  private DiskVectorStore(Directory directory, IndexWriter writer, SearcherManager searchers) {
    this.directory = directory;
    this.writer = writer;
    this.searchers = searchers;
  }

  /**
   * Opens (creating if needed) the store in {@code dir} for {@code namespace}.
   *
   * @throws IOException if the directory cannot be opened or is locked by another writer
   * @throws IllegalStateException if the directory belongs to another namespace
   */
  static DiskVectorStore open(Path dir, String namespace) throws IOException {
    Files.createDirectories(dir);
    return open(FSDirectory.open(dir), namespace);
  }

  /**
   * As {@link #open(Path, String)}, over an opened directory, which the store then owns (and closes
   * on failure).
   */
  static DiskVectorStore open(Directory directory, String namespace) throws IOException {
    IndexWriter writer = null;
    try {
      var iwc = new IndexWriterConfig().setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND);
      iwc.setCommitOnClose(false);
      iwc.setMergeScheduler(new SerialMergeScheduler()); // merges on our thread: no Lucene threads
      writer = new IndexWriter(directory, iwc);
      if (SegmentInfos.getLastCommitGeneration(directory) < 0) {
        writer.setLiveCommitData(Map.of(NAMESPACE, namespace).entrySet());
        writer.commit();
      } else {
        String recorded = SegmentInfos.readLatestCommit(directory).getUserData().get(NAMESPACE);
        if (recorded != null && !recorded.equals(namespace)) {
          throw new IllegalStateException(
              "embedding cache "
                  + directory
                  + " belongs to '"
                  + recorded
                  + "', not '"
                  + namespace
                  + "'");
        }
        writer.setLiveCommitData(Map.of(NAMESPACE, namespace).entrySet());
      }
      return new DiskVectorStore(directory, writer, new SearcherManager(directory, null));
    } catch (IOException | RuntimeException e) {
      if (writer != null) {
        writer.rollback();
      }
      directory.close();
      throw e;
    }
  }

  /**
   * Opens stores under {@code cacheDirectory}, one sub-directory per model namespace: the model id
   * made safe for a file name (at most 60 characters) and 12 hex digits of the namespace's hash.
   */
  static PersistentVectorCache.Opener under(Path cacheDirectory) {
    return (modelId, namespace) -> {
      String safe = modelId.replaceAll("[^A-Za-z0-9._-]", "_");
      if (safe.length() > 60) {
        safe = safe.substring(0, 60);
      }
      return open(
          cacheDirectory.resolve(safe + "-" + TextKey.sha256Hex(namespace).substring(0, 12)),
          namespace);
    };
  }

  /**
   * Looks up many keys at once; absent entries and entries whose checksum fails are simply missing.
   *
   * @throws UncheckedIOException if the index cannot be read at all
   * @throws org.apache.lucene.store.AlreadyClosedException if the store was closed
   */
  @Override
  public Map<String, float[]> getAll(Collection<String> keys) {
    Map<String, float[]> found = new HashMap<>();
    java.util.List<String> onDisk = new java.util.ArrayList<>();
    for (String key : keys) {
      float[] v = uncommitted.get(key);
      if (v != null) {
        found.put(key, v);
      } else {
        onDisk.add(key);
      }
    }
    if (onDisk.isEmpty()) {
      return found;
    }
    try {
      IndexSearcher searcher = searchers.acquire();
      try {
        for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
          Terms terms = leaf.reader().terms(KEY);
          if (terms == null) {
            continue;
          }
          TermsEnum te = terms.iterator();
          var live = leaf.reader().getLiveDocs();
          var stored = leaf.reader().storedFields();
          PostingsEnum postings = null;
          for (String key : onDisk) {
            if (found.containsKey(key) || !te.seekExact(new BytesRef(key))) {
              continue;
            }
            postings = te.postings(postings, PostingsEnum.NONE);
            for (int doc = postings.nextDoc();
                doc != DocIdSetIterator.NO_MORE_DOCS;
                doc = postings.nextDoc()) {
              if (live != null && !live.get(doc)) {
                continue;
              }
              BytesRef bytes = stored.document(doc).getBinaryValue(VALUE);
              decode(key, bytes).ifPresent(v -> found.put(key, v));
              break;
            }
          }
        }
      } finally {
        searchers.release(searcher);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the embedding cache", e);
    }
    return found;
  }

  @Override
  public void putAll(Map<String, float[]> entries) {
    entries.forEach(this::put);
  }

  /**
   * Adds an entry; durable after the next {@link #commit()}, which this call makes itself every
   * {@value #COMMIT_EVERY} entries. The pipeline calls it from its single cache writer only, so
   * commits never queue up behind each other.
   */
  void put(String key, float[] vector) {
    var doc = new Document();
    doc.add(new StringField(KEY, key, Field.Store.NO));
    doc.add(new StoredField(VALUE, encode(key, vector)));
    try {
      writer.updateDocument(new Term(KEY, key), doc);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the embedding cache", e);
    }
    uncommitted.put(key, vector);
    if (uncommitted.size() >= COMMIT_EVERY) {
      commit();
    }
  }

  /** Makes every entry added so far durable. */
  @Override
  public void commit() {
    commitLock.lock();
    try {
      if (uncommitted.isEmpty()) {
        return;
      }
      var committing = new HashMap<>(uncommitted);
      try {
        writer.commit();
        searchers.maybeRefreshBlocking();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot commit the embedding cache", e);
      }
      committing.forEach(uncommitted::remove);
    } finally {
      commitLock.unlock();
    }
  }

  /** Entries added since the last commit. */
  int uncommittedEntries() {
    return uncommitted.size();
  }

  /** Number of live entries on disk (committed). */
  int committedEntries() {
    try {
      IndexSearcher s = searchers.acquire();
      try {
        return s.getIndexReader().numDocs();
      } finally {
        searchers.release(s);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Commits and releases the directory. */
  @Override
  public void close() {
    try {
      try {
        commit();
      } finally {
        try {
          searchers.close();
        } finally {
          try {
            writer.close();
          } finally {
            directory.close();
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close the embedding cache", e);
    }
  }

  static byte[] encode(String key, float[] vector) {
    ByteBuffer buf = ByteBuffer.allocate(4 + vector.length * 4 + 4).order(ByteOrder.LITTLE_ENDIAN);
    buf.putInt(vector.length);
    for (float f : vector) {
      buf.putFloat(f);
    }
    buf.putInt(checksum(key, buf.array(), 4 + vector.length * 4));
    return buf.array();
  }

  static Optional<float[]> decode(String key, BytesRef ref) {
    if (ref == null || ref.length < 8) {
      return Optional.empty();
    }
    ByteBuffer buf =
        ByteBuffer.wrap(ref.bytes, ref.offset, ref.length).order(ByteOrder.LITTLE_ENDIAN);
    int dim = buf.getInt();
    if (dim < 1 || ref.length != 4 + dim * 4 + 4) {
      return Optional.empty();
    }
    byte[] body = new byte[4 + dim * 4];
    System.arraycopy(ref.bytes, ref.offset, body, 0, body.length);
    int expected = buf.getInt(ref.offset + body.length);
    if (checksum(key, body, body.length) != expected) {
      return Optional.empty();
    }
    float[] v = new float[dim];
    ByteBuffer fb = ByteBuffer.wrap(body, 4, dim * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < dim; i++) {
      v[i] = fb.getFloat();
    }
    return Optional.of(v);
  }

  private static int checksum(String key, byte[] body, int length) {
    var crc = new CRC32C();
    crc.update(key.getBytes(StandardCharsets.US_ASCII));
    crc.update(body, 0, length);
    return (int) crc.getValue();
  }
}
