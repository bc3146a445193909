package dev.ragtime.index;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ragtime.embed.ModelInfo;
import dev.ragtime.testing.FakeEmbeddingModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LuceneSnapshotTest {
  private static final ModelInfo MODEL = FakeEmbeddingModel.DEFAULT_INFO;
  private final FakeEmbeddingModel embedder = new FakeEmbeddingModel();

  @TempDir Path dataDir;

  private DocumentWrite doc(String id, String... texts) {
    List<IndexedChunk> chunks = new ArrayList<>();
    for (int i = 0; i < texts.length; i++) {
      chunks.add(
          new IndexedChunk(
              id + "#" + i, i, texts[i], embedder.vectorOf(texts[i]), Map.of("n", "" + i)));
    }
    return new DocumentWrite(id, "h-" + id, chunks);
  }

  /** Writes documents as a Ragtime version without id doc values or index id did. */
  private void writeWithoutIdDocValues(Path luceneDir, List<DocumentWrite> docs) throws Exception {
    try (FSDirectory dir = FSDirectory.open(luceneDir);
        IndexWriter w = new IndexWriter(dir, new IndexWriterConfig(new EnglishAnalyzer()))) {
      for (DocumentWrite write : docs) {
        List<Document> block =
            LuceneSchema.toDocuments(write).stream()
                .map(
                    full -> {
                      Document old = new Document();
                      full.getFields().stream()
                          .filter(f -> !(f instanceof SortedDocValuesField))
                          .forEach(old::add);
                      return old;
                    })
                .toList();
        w.updateDocuments(LuceneSchema.docIdTerm(write.docId()), block);
      }
      Map<String, String> userData = new HashMap<>(LuceneSchema.userData(MODEL, "unused"));
      userData.remove(LuceneSchema.USER_DATA_INDEX_ID);
      w.setLiveCommitData(userData.entrySet());
      w.commit();
    }
  }

  @Test
  void chunksWrittenWithoutIdDocValuesAreStillIdentifiedBesideNewerOnes() throws Exception {
    LuceneCollections collections = LuceneCollections.at(dataDir);
    writeWithoutIdDocValues(
        collections.collectionDir("docs").resolve("lucene"),
        List.of(doc("old1", "alpha river", "alpha mountain"), doc("old2", "alpha sea")));

    try (Index index = collections.open("docs", MODEL)) {
      index.write(List.of(doc("new1", "alpha lake", "alpha river delta")));
      try (IndexSnapshot s = index.snapshot()) {
        List<Candidate> lexical = s.lexicalCandidates("alpha river", Map.of(), 10);
        List<Candidate> vector = s.vectorCandidates(embedder.vectorOf("alpha river"), Map.of(), 10);

        for (List<Candidate> list : List.of(lexical, vector)) {
          assertThat(list)
              .extracting(Candidate::chunkId)
              .containsExactlyInAnyOrder("old1#0", "old1#1", "old2#0", "new1#0", "new1#1");
          assertThat(list).allSatisfy(c -> assertThat(c.chunkId()).startsWith(c.docId() + "#"));
          assertThat(s.load(list))
              .extracting(Hit::chunkId)
              .isEqualTo(list.stream().map(Candidate::chunkId).toList());
        }
      }
    }
  }
}
