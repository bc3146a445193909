package dev.ragtime.server.collections;

import dev.ragtime.embed.ModelInfo;
import dev.ragtime.index.Index;
import dev.ragtime.index.IndexStats;
import dev.ragtime.index.IndexStore;
import dev.ragtime.index.SearchableIndex;
import dev.ragtime.ingest.Ingestor;
import dev.ragtime.search.Searcher;
import dev.ragtime.server.http.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The collections the service has open: one {@link Index} (with its searcher and ingestor) per
 * collection, opened on first use and kept for the service's lifetime, so every request shares one
 * Lucene writer and one near-real-time view. Collections are opened with the service's model; one
 * built by an incompatible model is refused (409).
 *
 * <p>The service need not be the store's only writer: with a shared store (PostgreSQL) other nodes
 * create, write and drop the same collections. An open collection that another node dropped (or
 * dropped and created again) fails with {@link dev.ragtime.index.CollectionNotFoundException}; the
 * service then {@linkplain #forget forgets} it, so the request answers 404 and the next one opens
 * the collection afresh if it exists again.
 *
 * <p>Thread-safe. Opening and dropping are serialised by one lock (they are rare and quick); reads
 * of an open collection take no lock. Close it to close every index.
 */
public final class OpenCollections implements AutoCloseable {
  private final IndexStore store;
  private final Supplier<ModelInfo> model;
  private final Function<Index, Ingestor> ingestors;
  private final Function<SearchableIndex, Searcher> searchers;
  private final ReentrantLock lock = new ReentrantLock();
  // Changed only under lock; read without it, so a search finds its collection lock-free.
  private final Map<String, Collection> open = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /**
   * @param store where the collections live
   * @param model the service's embedding model identity (every collection must match it)
   * @param ingestors builds the ingestor of an open index
   * @param searchers builds the searcher of an open index
   */
  public OpenCollections(
      IndexStore store,
      Supplier<ModelInfo> model,
      Function<Index, Ingestor> ingestors,
      Function<SearchableIndex, Searcher> searchers) {
    this.store = Objects.requireNonNull(store, "store");
    this.model = Objects.requireNonNull(model, "model");
    this.ingestors = Objects.requireNonNull(ingestors, "ingestors");
    this.searchers = Objects.requireNonNull(searchers, "searchers");
  }

  /** One open collection. */
  public static final class Collection {
    private final Index index;
    private final Searcher searcher;
    private final Ingestor ingestor;
    private final ReentrantLock writes = new ReentrantLock();

    Collection(Index index, Searcher searcher, Ingestor ingestor) {
      this.index = index;
      this.searcher = searcher;
      this.ingestor = ingestor;
    }

    public String name() {
      return index.name();
    }

    public Index index() {
      return index;
    }

    public Searcher searcher() {
      return searcher;
    }

    public Ingestor ingestor() {
      return ingestor;
    }

    /**
     * Held by whoever ingests into this collection: runs into one index must not overlap, and a
     * collection must not be dropped under a running ingest.
     */
    public ReentrantLock writes() {
      return writes;
    }
  }

  /**
   * Validates a collection name from a request.
   *
   * @throws ApiException 400 naming the rule
   */
  public static String validName(String name) {
    try {
      return IndexStore.validateName(name);
    } catch (IllegalArgumentException e) {
      throw ApiException.invalidField("name", e.getMessage());
    }
  }

  /** The model every collection of this service is built with. */
  public ModelInfo model() {
    return model.get();
  }

  /**
   * The open collection, opening it if it exists on disk.
   *
   * @throws ApiException 404 if there is no such collection
   */
  public Collection require(String name) {
    return find(name)
        .orElseThrow(
            () ->
                ApiException.notFound(
                    "collection '" + name + "' does not exist; create it with PUT first"));
  }

  /** The open collection, opening it if it exists on disk; empty if there is none. */
  public Optional<Collection> find(String name) {
    validName(name);
    ensureOpen();
    Collection already = open.get(name); // the common case: no lock
    if (already != null) {
      return Optional.of(already);
    }
    lock.lock();
    try {
      ensureOpen();
      Collection c = open.get(name);
      if (c == null && store.exists(name)) {
        c = openLocked(name);
      }
      return Optional.ofNullable(c);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Creates the collection if it does not exist.
   *
   * @return true if it was created, false if it existed
   */
  public boolean create(String name) {
    validName(name);
    lock.lock();
    try {
      ensureOpen();
      if (open.containsKey(name)) {
        return false;
      }
      boolean existed = store.exists(name);
      openLocked(name);
      return !existed;
    } finally {
      lock.unlock();
    }
  }

  private Collection openLocked(String name) {
    Index index;
    try {
      index = store.open(name, model.get());
    } catch (IllegalStateException e) {
      // Lucene's write lock: another process (a running `ragtime ingest`) has it open.
      throw ApiException.conflict(
          "collection '"
              + name
              + "' is open for writing by another process (such as a running 'ragtime ingest');"
              + " retry when it has finished");
    }
    try {
      var c = new Collection(index, searchers.apply(index), ingestors.apply(index));
      open.put(name, c);
      return c;
    } catch (RuntimeException e) {
      index.close();
      throw e;
    }
  }

  /**
   * Deletes a collection and its data.
   *
   * @return false if there was none
   * @throws ApiException 409 while documents are being ingested into it
   */
  public boolean drop(String name) {
    validName(name);
    lock.lock();
    try {
      ensureOpen();
      Collection c = open.get(name);
      if (c != null) {
        if (!c.writes().tryLock()) {
          throw ApiException.conflict(
              "collection '" + name + "' has an ingestion job running; retry when it finished");
        }
        try {
          open.remove(name);
          c.index().close();
        } finally {
          c.writes().unlock();
        }
      }
      return store.drop(name);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Forgets an open collection that the store no longer has (another node dropped it): closes its
   * index unless an ingestion runs into it here (that run fails on its own and the collection is
   * forgotten on the next failure). The next {@link #find} opens it again if it exists by then.
   */
  public void forget(String name) {
    lock.lock();
    try {
      Collection c = open.get(name);
      if (c == null || !c.writes().tryLock()) {
        return;
      }
      try {
        open.remove(name);
        c.index().close();
      } finally {
        c.writes().unlock();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Names of every collection on disk, sorted. */
  public List<String> names() {
    return store.names();
  }

  /**
   * A collection's counts and model as of its last commit, read without opening it (so listing
   * works while another process writes one).
   */
  public Optional<Summary> summary(String name) {
    validName(name);
    Collection c = open.get(name);
    if (c != null) {
      return Optional.of(new Summary(name, c.index().stats(), c.index().model()));
    }
    Optional<ModelInfo> recorded = store.recordedModel(name);
    if (recorded.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Summary(name, store.stats(name), recorded.get()));
  }

  /** What a listing shows of a collection. */
  public record Summary(String name, IndexStats stats, ModelInfo model) {}

  private void ensureOpen() {
    if (closed) {
      throw ApiException.unavailable("the service is shutting down", 5);
    }
  }

  /** Closes every open index (their last writes were already committed). Idempotent. */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      List<RuntimeException> failures = new ArrayList<>();
      for (Collection c : open.values()) {
        try {
          c.index().close();
        } catch (RuntimeException e) {
          failures.add(e);
        }
      }
      open.clear();
      if (!failures.isEmpty()) {
        throw failures.get(0);
      }
    } finally {
      lock.unlock();
    }
  }
}
