package dev.ragtime.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ragtime.chunk.Chunker;
import dev.ragtime.chunk.ChunkerConfig;
import dev.ragtime.embed.ModelInfo;
import dev.ragtime.index.LuceneCollections;
import dev.ragtime.testing.FakeEmbeddingModel;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 8 defect 8: whatever changes a vector is part of the ingest fingerprint. */
class IngestFingerprintTest {

  @Test
  void theModelsTruncationIsPartOfTheFingerprint(@TempDir Path tmp) {
    var chunker = Chunker.create(ChunkerConfig.defaults(), t -> t.split("\\s+").length);
    var collections = LuceneCollections.at(tmp);
    var model = new FakeEmbeddingModel();
    try (var executor = Executors.newVirtualThreadPerTaskExecutor();
        var wide = collections.open("wide", new ModelInfo("m", 64, 512));
        var narrow = collections.open("narrow", new ModelInfo("m", 64, 256))) {
      String a =
          Ingestor.create(wide, () -> model, chunker, IngestConfig.DEFAULT, executor).fingerprint();
      String b =
          Ingestor.create(narrow, () -> model, chunker, IngestConfig.DEFAULT, executor)
              .fingerprint();
      assertThat(a).isNotEqualTo(b);
    }
  }
}
