package dev.ragtime.eval;

import dev.ragtime.document.CorpusRecord;
import dev.ragtime.document.DocumentException;
import dev.ragtime.document.JsonlCorpus;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * One split of a retrieval test collection in BEIR format: a folder holding {@code corpus.jsonl}
 * (records {@code {"_id","title","text"}}), {@code queries.jsonl} (records {@code {"_id","text"}})
 * and {@code qrels/<split>.tsv} (tab-separated {@code query-id corpus-id score}, an optional header
 * line, LF or CRLF line ends). Either JSONL file may instead be gzip-compressed with a {@code .gz}
 * suffix.
 *
 * <p>Only the queries and judgments are loaded; the corpus is streamed from {@link #corpusFile()}
 * when it is indexed. A query is evaluated ({@link #queries()}) when the split judges at least one
 * document relevant to it (score &gt; 0), which is how {@code trec_eval} treats queries without
 * relevant documents: they are left out of every average.
 *
 * <p>Immutable and thread-safe.
 */
public final class BeirDataset {
  private final String name;
  private final Path dir;
  private final String split;
  private final Path corpusFile;
  private final Map<String, String> queries;
  private final Map<String, Map<String, Integer>> judgments;
  private final int judgedQueries;

  private BeirDataset(
      String name,
      Path dir,
      String split,
      Path corpusFile,
      Map<String, String> queries,
      Map<String, Map<String, Integer>> judgments,
      int judgedQueries) {
    this.name = name;
    this.dir = dir;
    this.split = split;
    this.corpusFile = corpusFile;
    this.queries = queries;
    this.judgments = judgments;
    this.judgedQueries = judgedQueries;
  }

  /**
   * Loads the queries and judgments of one split.
   *
   * @param dir the dataset folder
   * @param split the split, such as {@code test}, {@code dev} or {@code train}: the name of a file
   *     in {@code qrels/} without its {@code .tsv} suffix
   * @throws DocumentException (UNREADABLE) if a file is missing or unreadable, naming it and the
   *     splits that exist; (CORRUPT) for a malformed line, naming file and line, or for judgments
   *     of queries that {@code queries.jsonl} does not define
   */
  public static BeirDataset load(Path dir, String split) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(split, "split");
    Path root = dir.toAbsolutePath().normalize();
    if (!Files.isDirectory(root)) {
      throw new DocumentException(
          DocumentException.Reason.UNREADABLE,
          root.toString(),
          "not a folder; point --dataset at a BEIR dataset folder (corpus.jsonl, queries.jsonl,"
              + " qrels/)");
    }
    if (!split.matches("[A-Za-z0-9_.-]+")) {
      throw new IllegalArgumentException("invalid split name '" + split + "'");
    }
    Path corpus = jsonl(root, "corpus");
    Path queryFile = jsonl(root, "queries");
    Path qrelsFile = root.resolve("qrels").resolve(split + ".tsv");
    if (!Files.isRegularFile(qrelsFile)) {
      throw new DocumentException(
          DocumentException.Reason.UNREADABLE,
          qrelsFile.toString(),
          "no judgments for split '" + split + "'; splits here: " + splits(root));
    }
    Map<String, Map<String, Integer>> all = readQrels(qrelsFile);
    Map<String, String> texts = readQueries(queryFile, all);
    List<String> undefined = new ArrayList<>();
    for (String id : all.keySet()) {
      if (!texts.containsKey(id)) {
        undefined.add(id);
      }
    }
    if (!undefined.isEmpty()) {
      Collections.sort(undefined);
      throw new DocumentException(
          DocumentException.Reason.CORRUPT,
          qrelsFile.toString(),
          undefined.size()
              + " judged queries are not in "
              + queryFile.getFileName()
              + ", for example '"
              + undefined.get(0)
              + "'");
    }
    // Evaluated queries in queries-file order; judgments of each (all grades, 0 included).
    Map<String, String> evaluated = new LinkedHashMap<>();
    Map<String, Map<String, Integer>> judged = new LinkedHashMap<>();
    texts.forEach(
        (id, text) -> {
          Map<String, Integer> j = all.get(id);
          if (j.values().stream().anyMatch(g -> g > 0)) {
            evaluated.put(id, text);
            judged.put(id, Collections.unmodifiableMap(j));
          }
        });
    String name = root.getFileName() == null ? "dataset" : root.getFileName().toString();
    return new BeirDataset(
        name,
        root,
        split,
        corpus,
        Collections.unmodifiableMap(evaluated),
        Collections.unmodifiableMap(judged),
        all.size());
  }

  /** The dataset's name: its folder name, such as {@code scifact}. */
  public String name() {
    return name;
  }

  /** The dataset folder (absolute). */
  public Path dir() {
    return dir;
  }

  /** The split whose judgments were loaded. */
  public String split() {
    return split;
  }

  /** The corpus file, {@code corpus.jsonl} or {@code corpus.jsonl.gz}; read it with JsonlCorpus. */
  public Path corpusFile() {
    return corpusFile;
  }

  /**
   * The evaluated queries (at least one relevant document in this split), id to text, in the order
   * of the queries file.
   */
  public Map<String, String> queries() {
    return queries;
  }

  /**
   * Judgments of an evaluated query: document id to relevance grade (grades &le; 0 mean judged not
   * relevant).
   *
   * @throws IllegalArgumentException if {@code queryId} is not an evaluated query
   */
  public Map<String, Integer> judgments(String queryId) {
    Map<String, Integer> j = judgments.get(queryId);
    if (j == null) {
      throw new IllegalArgumentException(
          "query '" + queryId + "' is not evaluated in split '" + split + "'");
    }
    return j;
  }

  /** How many queries the split's qrels mention, including those without a relevant document. */
  public int judgedQueries() {
    return judgedQueries;
  }

  /** The same dataset with the judgments of another split. */
  public BeirDataset withSplit(String otherSplit) {
    return load(dir, otherSplit);
  }

  @Override
  public String toString() {
    return "BeirDataset[" + name + "/" + split + ", " + queries.size() + " queries]";
  }

  // ---------------------------------------------------------------------------------------------

  private static Path jsonl(Path root, String base) {
    Path plain = root.resolve(base + ".jsonl");
    if (Files.isRegularFile(plain)) {
      return plain;
    }
    Path gz = root.resolve(base + ".jsonl.gz");
    if (Files.isRegularFile(gz)) {
      return gz;
    }
    throw new DocumentException(
        DocumentException.Reason.UNREADABLE,
        plain.toString(),
        "no such file (nor " + gz.getFileName() + "); is " + root + " a BEIR dataset folder?");
  }

  private static String splits(Path root) {
    Path qrels = root.resolve("qrels");
    if (!Files.isDirectory(qrels)) {
      return "none (no qrels/ folder)";
    }
    try (Stream<Path> files = Files.list(qrels)) {
      List<String> names =
          files
              .map(p -> p.getFileName().toString())
              .filter(n -> n.endsWith(".tsv"))
              .map(n -> n.substring(0, n.length() - 4))
              .sorted()
              .toList();
      return names.isEmpty() ? "none" : String.join(", ", names);
    } catch (IOException e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }

  /** Query id to (document id to grade), in file order. */
  static Map<String, Map<String, Integer>> readQrels(Path file) {
    Map<String, Map<String, Integer>> qrels = new LinkedHashMap<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      int lineNumber = 0;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        lineNumber++;
        String stripped = line.strip();
        if (stripped.isEmpty()) {
          continue;
        }
        String[] f = stripped.contains("\t") ? stripped.split("\t") : stripped.split(" +");
        if (f.length != 3 && f.length != 4) {
          throw corrupt(file, lineNumber, "expected 3 columns (query-id corpus-id score)");
        }
        // TREC format has an iteration column: query-id 0 corpus-id score.
        String query = f[0].strip();
        String doc = f[f.length - 2].strip();
        int grade;
        try {
          grade = Integer.parseInt(f[f.length - 1].strip());
        } catch (NumberFormatException e) {
          if (lineNumber == 1) {
            continue; // the header line
          }
          throw corrupt(file, lineNumber, "score '" + f[f.length - 1] + "' is not an integer");
        }
        qrels.computeIfAbsent(query, q -> new HashMap<>()).put(doc, grade);
      }
    } catch (IOException e) {
      throw new DocumentException(
          DocumentException.Reason.UNREADABLE, file.toString(), "could not be read (" + e + ")", e);
    }
    return qrels;
  }

  private static Map<String, String> readQueries(
      Path file, Map<String, Map<String, Integer>> wanted) {
    Map<String, String> texts = new LinkedHashMap<>();
    try (JsonlCorpus corpus = JsonlCorpus.open(file, JsonlCorpus.OnMalformed.FAIL);
        Stream<CorpusRecord> records = corpus.stream()) {
      records
          .filter(r -> wanted.containsKey(r.id()))
          .forEach(
              r -> {
                String text = r.text().isBlank() ? r.title() : r.text();
                if (text.isBlank()) {
                  throw new DocumentException(
                      DocumentException.Reason.CORRUPT,
                      file.toString(),
                      "query '" + r.id() + "' has no text");
                }
                texts.put(r.id(), text.strip());
              });
    }
    return texts;
  }

  private static DocumentException corrupt(Path file, int line, String problem) {
    return new DocumentException(
        DocumentException.Reason.CORRUPT, file + ":" + line, "malformed judgment: " + problem);
  }
}
