package dev.ragtime.bench.micro;

import dev.ragtime.chunk.Chunk;
import dev.ragtime.chunk.Chunker;
import dev.ragtime.chunk.ChunkerConfig;
import dev.ragtime.chunk.TokenCounter;
import dev.ragtime.document.CorpusRecord;
import dev.ragtime.document.JsonlCorpus;
import dev.ragtime.document.ParsedDocument;
import dev.ragtime.onnx.OnnxEmbeddingModel;
import dev.ragtime.onnx.OnnxModelConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The chunker on real documents: the first {@value #DOCUMENTS} articles of the Wikipedia slice
 * (system property {@code ragtime.bench.corpus}, default {@code
 * ../shared/data/wiki/enwiki-slice.jsonl.gz}), default settings (200 tokens, 32 overlap), with the
 * word-based estimate ({@link TokenCounter#approximate()}, used for remote models) and with the
 * local model's word-piece tokenizer (what ingestion with the local model uses). The score is the
 * time per document.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ChunkerBenchmark {
  static final int DOCUMENTS = 1_000;

  @Param({"approximate", "wordpiece"})
  public String counter;

  private List<ParsedDocument> documents;
  private OnnxEmbeddingModel model;
  private Chunker chunker;

  @Setup
  public void setUp() {
    Path corpus =
        Path.of(
            System.getProperty(
                "ragtime.bench.corpus", "../shared/data/wiki/enwiki-slice.jsonl.gz"));
    documents = new ArrayList<>(DOCUMENTS);
    long chars = 0;
    try (JsonlCorpus c = JsonlCorpus.open(corpus)) {
      Iterator<CorpusRecord> records = c.stream().iterator();
      while (records.hasNext() && documents.size() < DOCUMENTS) {
        ParsedDocument d = records.next().toDocument();
        if (!d.isEmpty()) {
          documents.add(d);
          chars += d.plainText().length();
        }
      }
    }
    TokenCounter tokens;
    if (counter.equals("wordpiece")) {
      Path natives =
          Path.of(System.getProperty("ragtime.bench.native-dir", "bench/target/issue4/native"));
      model = OnnxEmbeddingModel.load(OnnxModelConfig.defaults(natives));
      tokens = model.tokenCounter();
    } else {
      tokens = TokenCounter.approximate();
    }
    chunker = Chunker.create(ChunkerConfig.defaults(), tokens);
    System.out.printf(
        "%n%d documents, %.0f characters each on average%n",
        documents.size(), chars / (double) documents.size());
  }

  @TearDown
  public void tearDown() {
    if (model != null) {
      model.close();
    }
  }

  @Benchmark
  @OperationsPerInvocation(DOCUMENTS)
  public void chunkDocument(Blackhole bh) {
    for (ParsedDocument d : documents) {
      List<Chunk> chunks = chunker.chunk(d);
      bh.consume(chunks);
    }
  }
}
