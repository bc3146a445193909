package dev.ragtime.bench.vector;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ragtime.bench.measure.CpuMeter;
import dev.ragtime.bench.measure.Options;
import dev.ragtime.document.Block;
import dev.ragtime.document.CorpusRecord;
import dev.ragtime.document.JsonlCorpus;
import dev.ragtime.onnx.OnnxEmbeddingModel;
import dev.ragtime.onnx.OnnxModelConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Prepares the real vectors of the vector-search benchmark, once: Wikipedia paragraphs of the wiki
 * slice embedded with the local model, cached in a directory (never under the shared data).
 *
 * <p>The base set is the first {@code --base} paragraphs of at least 8 words, in file order. The
 * queries come from the articles after those (so no query's article is indexed): the first sentence
 * of each article's first paragraph of at least 8 words, cut at {@value #QUERY_WORDS} words, which
 * reads like a short question about a topic. Files written: {@code base.txt}, {@code queries.txt}
 * (one text per line), {@code base.f32}, {@code queries.f32} ({@link VectorFile}) and {@code
 * data.json}. Embedding appends in blocks, so an interrupted run resumes where it stopped.
 */
public final class VectorData {
  static final int DIMENSION = OnnxEmbeddingModel.DIMENSION;
  static final int MIN_PARAGRAPH_WORDS = 8;
  static final int QUERY_WORDS = 32;
  private static final int BLOCK = 2_000;

  private static final String USAGE =
      """
      Usage: java -cp <bench classpath> dev.ragtime.bench.vector.VectorData [options]
        --corpus FILE      wiki slice (default ../shared/data/wiki/enwiki-slice.jsonl.gz)
        --out DIR          cache directory (default bench/target/issue4/vectors)
        --base N           paragraphs to embed for the index (default 100000)
        --queries N        held-out queries (default 1000)
        --native-dir DIR   where the local model's natives are unpacked (default bench/target/issue4/native)
      """;

  private VectorData() {}

  public static void main(String[] args) throws IOException {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    if (List.of(args).contains("--help")) {
      out.print(USAGE);
      return;
    }
    Options o =
        Options.parse(
            args, Set.of("--corpus", "--out", "--base", "--queries", "--native-dir"), Set.of());
    Path corpus = o.path("--corpus", "../shared/data/wiki/enwiki-slice.jsonl.gz");
    Path dir = o.path("--out", "bench/target/issue4/vectors");
    int base = o.integer("--base", 100_000);
    int queries = o.integer("--queries", 1_000);
    Path nativeDir = o.path("--native-dir", "bench/target/issue4/native");
    prepare(corpus, dir, base, queries, nativeDir, out);
  }

  /** Writes (or completes) the cache in {@code dir}. */
  static void prepare(Path corpus, Path dir, int base, int queries, Path nativeDir, PrintStream out)
      throws IOException {
    Files.createDirectories(dir);
    Texts texts = texts(corpus, base, queries);
    Files.write(dir.resolve("base.txt"), texts.base(), StandardCharsets.UTF_8);
    Files.write(dir.resolve("queries.txt"), texts.queries(), StandardCharsets.UTF_8);
    out.printf(
        "%,d base paragraphs (articles 1..%,d), %,d queries%n",
        texts.base().size(), texts.baseArticles(), texts.queries().size());
    long start = System.nanoTime();
    var cpu = CpuMeter.start();
    try (OnnxEmbeddingModel model = OnnxEmbeddingModel.load(OnnxModelConfig.defaults(nativeDir))) {
      embedInto(model, texts.queries(), dir.resolve("queries.f32"), out);
      embedInto(model, texts.base(), dir.resolve("base.f32"), out);
    }
    var usage = CpuMeter.since(cpu);
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("corpus", corpus.toString());
    meta.put("base", texts.base().size());
    meta.put("queries", texts.queries().size());
    meta.put("model", OnnxEmbeddingModel.DEFAULT_INFO.toString());
    meta.put("lastRunSeconds", (System.nanoTime() - start) / 1e9);
    meta.put("lastRunLoad", usage.describe());
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(dir.resolve("data.json").toFile(), meta);
    out.printf("done in %.0f s (%s)%n", usage.seconds(), usage.describe());
  }

  private static void embedInto(
      OnnxEmbeddingModel model, List<String> texts, Path file, PrintStream out) throws IOException {
    int done = VectorFile.count(file, DIMENSION);
    if (done > texts.size()) {
      throw new IllegalStateException(
          file + " holds " + done + " vectors, more than the " + texts.size() + " texts");
    }
    long start = System.nanoTime();
    int startDone = done;
    while (done < texts.size()) {
      int end = Math.min(texts.size(), done + BLOCK);
      VectorFile.append(file, model.embed(texts.subList(done, end)), DIMENSION);
      done = end;
      double s = (System.nanoTime() - start) / 1e9;
      double rate = (done - startDone) / s;
      out.printf(
          Locale.ROOT,
          "  %s: %,d / %,d embedded, %.0f texts/s, %.0f s left%n",
          file.getFileName(),
          done,
          texts.size(),
          rate,
          (texts.size() - done) / rate);
    }
  }

  /** The base paragraphs and the held-out query texts. */
  record Texts(List<String> base, List<String> queries, int baseArticles) {}

  static Texts texts(Path corpus, int base, int queries) {
    List<String> baseTexts = new ArrayList<>(base);
    List<String> queryTexts = new ArrayList<>(queries);
    int articles = 0;
    try (JsonlCorpus c = JsonlCorpus.open(corpus)) {
      Iterator<CorpusRecord> records = c.stream().iterator();
      while (records.hasNext() && baseTexts.size() < base) {
        articles++;
        for (Block b : records.next().toDocument().blocks()) {
          if (baseTexts.size() < base && words(b.text()) >= MIN_PARAGRAPH_WORDS) {
            baseTexts.add(b.text());
          }
        }
      }
      while (records.hasNext() && queryTexts.size() < queries) {
        for (Block b : records.next().toDocument().blocks()) {
          if (words(b.text()) >= MIN_PARAGRAPH_WORDS) {
            queryTexts.add(querify(b.text()));
            break;
          }
        }
      }
    }
    if (baseTexts.size() < base || queryTexts.size() < queries) {
      throw new IllegalArgumentException(
          corpus
              + " yields only "
              + baseTexts.size()
              + " paragraphs and "
              + queryTexts.size()
              + " queries");
    }
    return new Texts(baseTexts, queryTexts, articles);
  }

  /** The first sentence, cut at {@value #QUERY_WORDS} words. */
  static String querify(String paragraph) {
    BreakIterator sentences = BreakIterator.getSentenceInstance(Locale.ROOT);
    sentences.setText(paragraph);
    int end = sentences.next();
    String first = (end == BreakIterator.DONE ? paragraph : paragraph.substring(0, end)).strip();
    String[] words = first.split("\\s+");
    return words.length <= QUERY_WORDS
        ? first
        : String.join(" ", List.of(words).subList(0, QUERY_WORDS));
  }

  static int words(String text) {
    String t = text.strip();
    return t.isEmpty() ? 0 : t.split("\\s+").length;
  }
}
