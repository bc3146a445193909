/**
 * Remote embedding providers: the wire dialects (OpenAI-compatible {@code /v1/embeddings}, Ollama
 * {@code /api/embed}, TEI {@code /embed}), one HTTP request per {@link
 * dev.ragtime.provider.ProviderClient#embed} call, the mapping of HTTP answers to the embedding
 * exception taxonomy ({@link dev.ragtime.provider.EmbeddingException}), rate-limit headers and
 * secrets. Retries, pacing, breaking and failover are stages of {@code dev.ragtime.embed
 * .EmbeddingPipeline}, not of this package. Depends on nothing else in Ragtime.
 */
package dev.ragtime.provider;
