package dev.ragtime.index;

import dev.ragtime.testing.FakeEmbeddingModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Child process of {@link LuceneCrashDurabilityTest}: writes batches into a collection until it is
 * killed, printing {@code done <batch>} after each {@link Index#write} returns. Stops on its own
 * after {@code maxBatches} so it never outlives a parent that died.
 *
 * <p>Usage: {@code CrashingWriter <dataDir> <collection> <maxBatches>}
 */
public final class CrashingWriter {
  static final int DOCS_PER_BATCH = 3;
  static final int CHUNKS_PER_DOC = 4;

  private CrashingWriter() {}

  public static void main(String[] args) {
    Path dataDir = Path.of(args[0]);
    String collection = args[1];
    int maxBatches = Integer.parseInt(args[2]);
    FakeEmbeddingModel model = new FakeEmbeddingModel();
    try (Index index = LuceneCollections.at(dataDir).open(collection, model.info())) {
      for (int b = 0; b < maxBatches; b++) {
        index.write(batch(model, b));
        System.out.println("done " + b);
        System.out.flush();
      }
    }
  }

  static String docId(int batch, int doc) {
    return "b" + batch + "-d" + doc;
  }

  static String contentHash(int batch, int doc) {
    return "hash-" + batch + "-" + doc;
  }

  static List<DocumentWrite> batch(FakeEmbeddingModel model, int b) {
    List<DocumentWrite> docs = new ArrayList<>();
    for (int d = 0; d < DOCS_PER_BATCH; d++) {
      String id = docId(b, d);
      List<IndexedChunk> chunks = new ArrayList<>();
      for (int c = 0; c < CHUNKS_PER_DOC; c++) {
        String text = "durable chunk " + c + " of document " + id + " " + "filler ".repeat(50);
        chunks.add(
            new IndexedChunk(id + "#" + c, c, text, model.vectorOf(text), Map.of("doc", id)));
      }
      docs.add(new DocumentWrite(id, contentHash(b, d), chunks));
    }
    return docs;
  }
}
