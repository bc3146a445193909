/**
 * Documents: loading files into {@link dev.ragtime.document.ParsedDocument}s of headings and
 * paragraphs, and reading bulk corpora.
 *
 * <ul>
 *   <li>{@link dev.ragtime.document.DocumentParsers}: .txt, .md, .html, .pdf files (or uploaded
 *       bytes) to documents, with every bad file reported as a {@link
 *       dev.ragtime.document.DocumentException} carrying a {@link
 *       dev.ragtime.document.DocumentException.Reason};
 *   <li>{@link dev.ragtime.document.JsonlCorpus}: streaming reader of BEIR-style JSON lines ({@code
 *       .jsonl} or gzip-compressed) yielding {@link dev.ragtime.document.CorpusRecord}s;
 *   <li>{@link dev.ragtime.document.ContentHash}: SHA-256 of bytes, strings and files, and
 *       unambiguous fingerprints of several parts.
 * </ul>
 *
 * <p>I/O happens only in {@code DocumentParsers.parse(Path)}, {@code JsonlCorpus} and {@code
 * ContentHash.sha256(Path)}; the format parsers behind them work on bytes in memory. Nothing in
 * this package returns null.
 */
package dev.ragtime.document;
