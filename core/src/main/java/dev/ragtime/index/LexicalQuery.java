package dev.ragtime.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;

/**
 * Turns free text into a bag-of-terms BM25 query. Nothing in the text is an operator: quotes,
 * {@code AND}, {@code field:} and brackets are just characters for the analyser.
 *
 * <p>Each distinct analysed term becomes one optional clause, boosted by how often it occurs in the
 * query. That scores exactly like one clause per occurrence (what Lucene's {@code QueryBuilder}
 * builds, since BM25 scores add up) while never exceeding Lucene's clause limit for queries that
 * repeat words. At most {@link #MAX_TERMS} distinct terms are kept, the first ones in the text, so
 * a pasted page of text searches instead of failing.
 */
final class LexicalQuery {
  /** Distinct query terms kept; well below Lucene's default limit of 1024 clauses. */
  static final int MAX_TERMS = 512;

  private LexicalQuery() {}

  /**
   * The query for {@code text}, or empty when the text analyses to no terms (only stop words or
   * punctuation), in which case nothing can match.
   */
  static Optional<Query> build(Analyzer analyzer, String field, String text) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    try (TokenStream tokens = analyzer.tokenStream(field, text)) {
      CharTermAttribute term = tokens.addAttribute(CharTermAttribute.class);
      tokens.reset();
      while (tokens.incrementToken()) {
        String t = term.toString();
        if (counts.size() < MAX_TERMS || counts.containsKey(t)) {
          counts.merge(t, 1, Integer::sum);
        }
      }
      tokens.end();
    } catch (IOException e) {
      throw new UncheckedIOException("analysing query text failed", e);
    }
    if (counts.isEmpty()) {
      return Optional.empty();
    }
    BooleanQuery.Builder query = new BooleanQuery.Builder();
    counts.forEach(
        (t, n) -> {
          Query q = new TermQuery(new Term(field, t));
          query.add(n == 1 ? q : new BoostQuery(q, n), BooleanClause.Occur.SHOULD);
        });
    return Optional.of(query.build());
  }
}
