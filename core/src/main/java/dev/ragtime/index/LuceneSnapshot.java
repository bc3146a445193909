package dev.ragtime.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;

/**
 * A point-in-time view of a {@link LuceneIndex}: one acquired {@link IndexSearcher} on one commit.
 * Thread-safe (an {@code IndexSearcher} is); closing releases the searcher and is idempotent.
 */
final class LuceneSnapshot implements IndexSnapshot {
  private final LuceneIndex index;
  private final IndexSearcher searcher;
  private final AtomicBoolean closed = new AtomicBoolean();

  LuceneSnapshot(LuceneIndex index, IndexSearcher searcher) {
    this.index = index;
    this.searcher = searcher;
  }

  @Override
  public List<Hit> lexical(String query, Map<String, String> filters, int k) {
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(filters, "filters");
    checkK(k);
    ensureOpen();
    Optional<Query> text = LexicalQuery.build(index.analyzer(), LuceneSchema.TEXT, query);
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
  public List<Hit> vector(float[] vector, Map<String, String> filters, int k) {
    Objects.requireNonNull(vector, "vector");
    Objects.requireNonNull(filters, "filters");
    checkK(k);
    ensureOpen();
    LuceneSchema.checkVector("the query", vector, index.model());
    Query filter = null;
    if (!filters.isEmpty()) {
      BooleanQuery.Builder b = new BooleanQuery.Builder();
      filterClauses(filters).forEach(f -> b.add(f, BooleanClause.Occur.FILTER));
      filter = b.build();
    }
    return search(new KnnFloatVectorQuery(LuceneSchema.VECTOR, vector, k, filter), k, true);
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      index.release(searcher);
    }
  }

  private List<Hit> search(Query query, int k, boolean vector) {
    try {
      TopDocs top = searcher.search(query, k);
      StoredFields stored = searcher.storedFields();
      List<Hit> hits = new ArrayList<>(top.scoreDocs.length);
      for (ScoreDoc sd : top.scoreDocs) {
        float score = vector ? LuceneSchema.cosineFromScore(sd.score) : sd.score;
        hits.add(LuceneSchema.toHit(stored.document(sd.doc), score));
      }
      return List.copyOf(hits);
    } catch (IOException e) {
      throw new UncheckedIOException("searching collection '" + index.collection() + "' failed", e);
    }
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
      throw new IllegalStateException(
          "snapshot of collection '" + index.collection() + "' is closed");
    }
  }
}
