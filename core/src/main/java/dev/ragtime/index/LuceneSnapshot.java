package dev.ragtime.index;

import dev.ragtime.embed.ModelInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ReferenceManager;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;

/**
 * A point-in-time view of a Lucene collection: one {@link IndexSearcher} acquired from a {@link
 * ReferenceManager} on one commit, released on {@link #close}. Candidates carry the Lucene document
 * number in the searcher's reader as {@link Candidate#ref}; their ids come from doc values (see
 * {@link LuceneSchema}), so only {@link #load} touches stored fields.
 *
 * <p>Thread-safe (an {@code IndexSearcher} is); closing is idempotent.
 */
final class LuceneSnapshot implements IndexSnapshot {
  private static final Set<String> ID_FIELDS = Set.of(LuceneSchema.DOC_ID, LuceneSchema.CHUNK_ID);

  private final String collection;
  private final ModelInfo model;
  private final Analyzer analyzer;
  private final ReferenceManager<IndexSearcher> searchers;
  private final IndexSearcher searcher;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * A snapshot on {@code searcher}, which was acquired from {@code searchers} and is released to it
   * on close.
   */
  LuceneSnapshot(
      String collection,
      ModelInfo model,
      Analyzer analyzer,
      ReferenceManager<IndexSearcher> searchers,
      IndexSearcher searcher) {
    this.collection = collection;
    this.model = model;
    this.analyzer = analyzer;
    this.searchers = searchers;
    this.searcher = searcher;
  }

  @Override
  public List<Candidate> lexicalCandidates(String query, Map<String, String> filters, int k) {
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(filters, "filters");
    checkK(k);
    ensureOpen();
    Optional<Query> text = LexicalQuery.build(analyzer, LuceneSchema.TEXT, query);
    if (text.isEmpty()) {
      return List.of();
    }
    Query q = text.get();
    if (!filters.isEmpty()) {
      BooleanQuery.Builder b = new BooleanQuery.Builder().add(q, BooleanClause.Occur.MUST);
      filterClauses(filters).forEach(f -> b.add(f, BooleanClause.Occur.FILTER));
      q = b.build();
    }
    return search(q, k, false);
  }

  @Override
  public List<Candidate> vectorCandidates(float[] vector, Map<String, String> filters, int k) {
    Objects.requireNonNull(vector, "vector");
    Objects.requireNonNull(filters, "filters");
    checkK(k);
    ensureOpen();
    LuceneSchema.checkVector("the query", vector, model);
    Query filter = null;
    if (!filters.isEmpty()) {
      BooleanQuery.Builder b = new BooleanQuery.Builder();
      filterClauses(filters).forEach(f -> b.add(f, BooleanClause.Occur.FILTER));
      filter = b.build();
    }
    return search(new KnnFloatVectorQuery(LuceneSchema.VECTOR, vector, k, filter), k, true);
  }

  @Override
  public List<Hit> load(List<Candidate> candidates) {
    List<Candidate> wanted = List.copyOf(candidates);
    ensureOpen();
    int maxDoc = searcher.getIndexReader().maxDoc();
    try {
      StoredFields stored = searcher.storedFields();
      List<Hit> hits = new ArrayList<>(wanted.size());
      for (Candidate c : wanted) {
        if (c.ref() < 0 || c.ref() >= maxDoc) {
          throw notFromThisSnapshot(c);
        }
        Hit hit = LuceneSchema.toHit(stored.document((int) c.ref()), c.score());
        if (!hit.chunkId().equals(c.chunkId())) {
          throw notFromThisSnapshot(c);
        }
        hits.add(hit);
      }
      return List.copyOf(hits);
    } catch (IOException e) {
      throw new UncheckedIOException("reading chunks of collection '" + collection + "' failed", e);
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        searchers.release(searcher);
      } catch (IOException e) {
        throw new UncheckedIOException("closing a stale reader of '" + collection + "' failed", e);
      }
    }
  }

  private List<Candidate> search(Query query, int k, boolean vector) {
    try {
      ScoreDoc[] top = searcher.search(query, k).scoreDocs;
      String[][] ids = ids(top);
      List<Candidate> candidates = new ArrayList<>(top.length);
      for (int i = 0; i < top.length; i++) {
        float score = vector ? LuceneSchema.cosineFromScore(top[i].score) : top[i].score;
        candidates.add(new Candidate(ids[i][0], ids[i][1], score, top[i].doc));
      }
      return List.copyOf(candidates);
    } catch (IOException e) {
      throw new UncheckedIOException("searching collection '" + collection + "' failed", e);
    }
  }

  /**
   * The {docId, chunkId} of each hit, from doc values where the chunk has them, else from stored
   * fields. Doc values iterate forwards only, so hits are visited in document order.
   */
  private String[][] ids(ScoreDoc[] hits) throws IOException {
    long[] order = new long[hits.length];
    for (int i = 0; i < hits.length; i++) {
      order[i] = ((long) hits[i].doc << 32) | i;
    }
    Arrays.sort(order);
    List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
    String[][] ids = new String[hits.length][];
    int leaf = -1;
    SortedDocValues docIds = null;
    SortedDocValues chunkIds = null;
    StoredFields stored = null;
    for (long entry : order) {
      int doc = (int) (entry >>> 32);
      int i = (int) entry;
      int l = ReaderUtil.subIndex(doc, leaves);
      if (l != leaf) {
        leaf = l;
        LeafReader reader = leaves.get(l).reader();
        docIds = reader.getSortedDocValues(LuceneSchema.DOC_ID_VALUES);
        chunkIds = reader.getSortedDocValues(LuceneSchema.CHUNK_ID_VALUES);
      }
      int local = doc - leaves.get(l).docBase;
      if (docIds != null
          && chunkIds != null
          && docIds.advanceExact(local)
          && chunkIds.advanceExact(local)) {
        ids[i] =
            new String[] {
              docIds.lookupOrd(docIds.ordValue()).utf8ToString(),
              chunkIds.lookupOrd(chunkIds.ordValue()).utf8ToString()
            };
      } else {
        if (stored == null) {
          stored = searcher.storedFields();
        }
        Document d = stored.document(doc, ID_FIELDS);
        ids[i] = new String[] {d.get(LuceneSchema.DOC_ID), d.get(LuceneSchema.CHUNK_ID)};
      }
    }
    return ids;
  }

  private IllegalArgumentException notFromThisSnapshot(Candidate c) {
    return new IllegalArgumentException(
        "candidate " + c + " was not produced by this snapshot of collection '" + collection + "'");
  }

  private static List<Query> filterClauses(Map<String, String> filters) {
    List<Query> clauses = new ArrayList<>(filters.size());
    filters.forEach(
        (key, value) -> clauses.add(new TermQuery(LuceneSchema.metadataTerm(key, value))));
    return clauses;
  }

  private static void checkK(int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be positive, was " + k);
    }
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("snapshot of collection '" + collection + "' is closed");
    }
  }
}
