package dev.ragtime.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragtime.chunk.Chunk;
import dev.ragtime.chunk.Chunker;
import dev.ragtime.chunk.ChunkerConfig;
import dev.ragtime.chunk.TokenCounter;
import dev.ragtime.document.Block;
import dev.ragtime.document.CorpusRecord;
import dev.ragtime.document.JsonlCorpus;
import dev.ragtime.document.ParsedDocument;
import dev.ragtime.simulator.ProviderSimulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The texts every contender embeds: chunks of real documents, grouped by the document they came
 * from (ingestion embeds a document's chunks together), distinct across the whole workload so no
 * contender profits from a cache or from single-flight, and already in the form Ragtime would send
 * (Unicode NFC, stripped) so every contender puts identical bytes on the wire.
 *
 * <p>Immutable.
 *
 * @param documents each document's chunk texts, in order; no document is empty
 */
record Workload(List<List<String>> documents) {

  /** The chunker's budget: chunks of at most this many (approximate) tokens. */
  static final int CHUNK_TOKENS = ChunkerConfig.DEFAULT_MAX_TOKENS;

  Workload {
    documents = documents.stream().map(List::copyOf).toList();
    for (List<String> doc : documents) {
      if (doc.isEmpty()) {
        throw new IllegalArgumentException("a workload document must have chunks");
      }
    }
  }

  /**
   * The first chunks of a BEIR-style JSONL corpus: each record's title (as a heading) and text,
   * chunked by Ragtime's chunker to at most {@link #CHUNK_TOKENS} tokens, until {@code maxTexts}
   * distinct chunks are collected (the last document may be cut short).
   *
   * @throws UncheckedIOException when the corpus cannot be read
   */
  static Workload fromCorpus(Path corpus, int maxTexts) {
    if (maxTexts < 1) {
      throw new IllegalArgumentException("maxTexts must be positive, was " + maxTexts);
    }
    Chunker chunker = Chunker.create(ChunkerConfig.defaults(), TokenCounter.approximate());
    Set<String> seen = new HashSet<>();
    List<List<String>> docs = new ArrayList<>();
    int total = 0;
    try (JsonlCorpus jsonl = JsonlCorpus.open(corpus)) {
      Iterator<CorpusRecord> records = jsonl.stream().iterator();
      while (total < maxTexts && records.hasNext()) {
        CorpusRecord record = records.next();
        ParsedDocument parsed = record.toDocument();
        List<Block> blocks = new ArrayList<>();
        if (!parsed.title().isBlank()) {
          blocks.add(Block.heading(1, parsed.title()));
        }
        blocks.addAll(parsed.blocks());
        List<String> chunks = new ArrayList<>();
        for (Chunk chunk : chunker.chunk(new ParsedDocument(parsed.title(), blocks, Map.of()))) {
          String text = normalize(chunk.text());
          if (!text.isEmpty() && total < maxTexts && seen.add(text)) {
            chunks.add(text);
            total++;
          }
        }
        if (!chunks.isEmpty()) {
          docs.add(chunks);
        }
      }
    }
    return new Workload(docs);
  }

  /**
   * A synthetic workload for smoke tests: {@code documents} documents of {@code chunksPerDocument}
   * distinct texts of about {@code tokensPerText} simulator tokens each.
   */
  static Workload synthetic(int documents, int chunksPerDocument, int tokensPerText) {
    List<List<String>> docs = new ArrayList<>();
    for (int d = 0; d < documents; d++) {
      List<String> chunks = new ArrayList<>();
      for (int c = 0; c < chunksPerDocument; c++) {
        StringBuilder text = new StringBuilder("document " + d + " chunk " + c + ":");
        while (text.length() < tokensPerText * 4) {
          text.append(" lorem ipsum dolor");
        }
        chunks.add(text.toString());
      }
      docs.add(chunks);
    }
    return new Workload(docs);
  }

  /** Unicode NFC and stripped, as Ragtime's pipeline normalises before sending. */
  static String normalize(String text) {
    return Normalizer.normalize(text, Normalizer.Form.NFC).strip();
  }

  /** Every text, document after document. */
  List<String> texts() {
    List<String> all = new ArrayList<>();
    documents.forEach(all::addAll);
    return all;
  }

  int size() {
    return documents.stream().mapToInt(List::size).sum();
  }

  /** Tokens of all texts by the simulator's rule ({@link ProviderSimulator#countTokens}). */
  long tokens() {
    long sum = 0;
    for (List<String> doc : documents) {
      for (String text : doc) {
        sum += ProviderSimulator.countTokens(text);
      }
    }
    return sum;
  }

  /** Writes the workload as JSON (a list of documents, each a list of texts). */
  void write(Path file, ObjectMapper json) {
    try {
      Files.createDirectories(Objects.requireNonNull(file.toAbsolutePath().getParent()));
      json.writeValue(file.toFile(), documents);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the workload to " + file, e);
    }
  }

  /** Reads a workload written by {@link #write}. */
  static Workload read(Path file, ObjectMapper json) {
    try {
      return new Workload(
          json.readValue(file.toFile(), new TypeReference<List<List<String>>>() {}));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the workload from " + file, e);
    }
  }
}
