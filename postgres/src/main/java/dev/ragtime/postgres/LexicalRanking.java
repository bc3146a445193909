package dev.ragtime.postgres;

/**
 * How the PostgreSQL index scores lexical candidates. Both match the same chunks (any query lexeme,
 * PostgreSQL's {@code english} text search configuration); they differ in order.
 */
public enum LexicalRanking {
  /**
   * Okapi BM25 as Lucene computes it ({@code idf = ln(1 + (N − df + 0.5) / (df + 0.5))}, term
   * frequency saturated by k1, length normalised by b against the collection's average chunk
   * length), from the collection's running counts and per-term document frequencies counted at
   * query time on the query's matches (one GIN index scan). The default.
   */
  BM25,

  /**
   * PostgreSQL's own {@code ts_rank_cd} (cover density, normalised by {@code 1 + log(length)}): no
   * document frequencies, so a rare query term weighs no more than a common one. Kept to measure
   * what BM25 gains (docs/BENCHMARKS.md).
   */
  TS_RANK_CD
}
