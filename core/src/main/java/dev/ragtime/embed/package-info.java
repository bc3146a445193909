/**
 * Turning text into vectors: the {@link dev.ragtime.embed.EmbeddingModel} seam, model identity
 * ({@link dev.ragtime.embed.ModelInfo}), and the {@link dev.ragtime.embed.EmbeddingPipeline} that
 * puts caching, single-flight, micro-batching, pacing, adaptive concurrency, retries, splitting,
 * circuit breaking and failover in front of a model. Configuration: {@link
 * dev.ragtime.embed.EmbeddingConfig}. Metrics: {@code METRICS.md} in this folder. The stages are
 * package-private classes, one per concern, each with its own tests.
 */
package dev.ragtime.embed;
