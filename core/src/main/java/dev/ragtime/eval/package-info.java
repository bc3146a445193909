/**
 * Retrieval evaluation on BEIR-format test collections, with {@code trec_eval}'s definitions of the
 * measures.
 *
 * <ul>
 *   <li>{@link dev.ragtime.eval.BeirDataset}: loads a split's queries and judgments;
 *   <li>{@link dev.ragtime.eval.RetrievalMetrics} and {@link dev.ragtime.eval.MetricScores}: pure
 *       nDCG, recall, reciprocal rank and average precision;
 *   <li>{@link dev.ragtime.eval.BeirEvaluation}: indexes a corpus into a re-usable scratch
 *       collection, by the BEIR protocol (one entry per document) or by Ragtime's chunked
 *       ingestion, and opens an {@link dev.ragtime.eval.EvalCollection} that runs the queries and
 *       reports {@link dev.ragtime.eval.EvalReport}s;
 *   <li>{@link dev.ragtime.eval.FusionTuner}: grid search of the hybrid fusion settings on a
 *       training split.
 * </ul>
 */
package dev.ragtime.eval;
