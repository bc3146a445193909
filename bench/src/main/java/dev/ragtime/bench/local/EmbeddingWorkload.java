package dev.ragtime.bench.local;

import dev.ragtime.chunk.Chunk;
import dev.ragtime.chunk.Chunker;
import dev.ragtime.chunk.ChunkerConfig;
import dev.ragtime.chunk.TokenCounter;
import dev.ragtime.document.CorpusRecord;
import dev.ragtime.document.JsonlCorpus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The texts every contender of the local-embedding benchmark embeds: SciFact abstracts cut by
 * Ragtime's chunker into chunks of at most {@code maxWordPieces} word-pieces (by the model's own
 * tokenizer), so that with [CLS] and [SEP] no text reaches LangChain4j's 128-word-piece limit and
 * every contender does exactly the same work. The warm-up texts are the chunks after the measured
 * ones (never measured, never repeated, so no cache profits from them).
 *
 * @param texts the measured texts, in corpus order
 * @param documents for each text, the index of the document it was cut from (the pipeline contender
 *     is fed one call per document, as the ingestor feeds it)
 * @param wordPieces for each text, its word-pieces without [CLS] and [SEP]
 * @param warmup texts for the warm-up, disjoint from {@code texts}
 */
record EmbeddingWorkload(
    List<String> texts, int[] documents, int[] wordPieces, List<String> warmup) {

  EmbeddingWorkload {
    texts = List.copyOf(texts);
    warmup = List.copyOf(warmup);
    if (documents.length != texts.size() || wordPieces.length != texts.size()) {
      throw new IllegalArgumentException("one document index and count per text");
    }
  }

  long totalWordPieces() {
    long sum = 0;
    for (int w : wordPieces) {
      sum += w;
    }
    return sum;
  }

  int maxWordPieces() {
    int max = 0;
    for (int w : wordPieces) {
      max = Math.max(max, w);
    }
    return max;
  }

  /**
   * Chunks the corpus until {@code count + warmupCount} chunks exist.
   *
   * @param counter the model's word-piece counter
   */
  static EmbeddingWorkload fromCorpus(
      Path corpus, int count, int warmupCount, int maxWordPieces, TokenCounter counter) {
    Chunker chunker =
        Chunker.create(ChunkerConfig.of(maxWordPieces, Math.max(0, maxWordPieces / 8)), counter);
    List<String> texts = new ArrayList<>(count);
    List<Integer> docs = new ArrayList<>(count);
    List<String> warmup = new ArrayList<>(warmupCount);
    try (JsonlCorpus c = JsonlCorpus.open(corpus)) {
      Iterator<CorpusRecord> records = c.stream().iterator();
      int doc = 0;
      while (records.hasNext() && warmup.size() < warmupCount) {
        for (Chunk chunk : chunker.chunk(records.next().toDocument())) {
          if (texts.size() < count) {
            texts.add(chunk.text());
            docs.add(doc);
          } else if (warmup.size() < warmupCount) {
            warmup.add(chunk.text());
          }
        }
        doc++;
      }
    }
    if (warmup.size() < warmupCount) {
      throw new IllegalArgumentException(
          corpus + " has fewer than " + (count + warmupCount) + " chunks");
    }
    int[] pieces = texts.stream().mapToInt(counter::count).toArray();
    for (int i = 0; i < pieces.length; i++) {
      if (pieces[i] > maxWordPieces) {
        throw new IllegalStateException(
            "chunk " + i + " has " + pieces[i] + " word-pieces, over " + maxWordPieces);
      }
    }
    return new EmbeddingWorkload(
        texts, docs.stream().mapToInt(Integer::intValue).toArray(), pieces, warmup);
  }

  /** Writes the workload as tab-separated lines: kind, document, word-pieces, text. */
  void write(Path file) throws IOException {
    List<String> lines = new ArrayList<>(texts.size() + warmup.size());
    for (int i = 0; i < texts.size(); i++) {
      lines.add("T\t" + documents[i] + "\t" + wordPieces[i] + "\t" + oneLine(texts.get(i)));
    }
    for (String w : warmup) {
      lines.add("W\t-1\t-1\t" + oneLine(w));
    }
    Files.write(file, lines, StandardCharsets.UTF_8);
  }

  static EmbeddingWorkload read(Path file) throws IOException {
    List<String> texts = new ArrayList<>();
    List<Integer> docs = new ArrayList<>();
    List<Integer> pieces = new ArrayList<>();
    List<String> warmup = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String[] f = line.split("\t", 4);
      String text = f[3].replace("\\n", "\n");
      if (f[0].equals("T")) {
        texts.add(text);
        docs.add(Integer.parseInt(f[1]));
        pieces.add(Integer.parseInt(f[2]));
      } else {
        warmup.add(text);
      }
    }
    return new EmbeddingWorkload(
        texts,
        docs.stream().mapToInt(Integer::intValue).toArray(),
        pieces.stream().mapToInt(Integer::intValue).toArray(),
        warmup);
  }

  /** Chunk texts hold paragraph breaks; tabs never survive the parser's normalisation. */
  private static String oneLine(String text) {
    if (text.contains("\t") || text.contains("\\n")) {
      throw new IllegalArgumentException("text not representable: " + text);
    }
    return text.replace("\n", "\\n");
  }
}
