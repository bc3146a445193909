/**
 * Chunking: cutting a {@link dev.ragtime.document.ParsedDocument} into {@link
 * dev.ragtime.chunk.Chunk}s that fit the embedding model's token budget, following the document's
 * headings, paragraphs and sentences. Pure: no I/O, no threads. {@link dev.ragtime.chunk.Chunker}
 * is the algorithm, {@link dev.ragtime.chunk.ChunkerConfig} its settings, and {@link
 * dev.ragtime.chunk.TokenCounter} the seam to the model's tokenizer.
 */
package dev.ragtime.chunk;
