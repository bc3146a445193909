package dev.ragtime.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ragtime.bench.ingest.IngestionBenchmark;
import dev.ragtime.chunk.Chunk;
import org.junit.jupiter.api.Test;

/**
 * The ingestion benchmark's index stage rebuilds the texts the ingestor embeds, to find their
 * vectors in the cache; this keeps its copy equal to {@link Ingestor#embedText}. (Same package as
 * the ingestor, to reach the package-private original.)
 */
class EmbedTextMirrorTest {
  @Test
  void theBenchmarkBuildsTheSameEmbedTextsAsTheIngestor() {
    String[][] cases = {
      {"Title", "", "Body text."},
      {"Title", "Title", "Body."},
      {"Title", "Title › Section", "Body."},
      {"Title", "Section › Sub", "Body."},
      {"Title", "Section", "Section starts the body."},
      {"", "", "Only body."},
      {"", "Heading", "Body."},
      {"Title", "", "Title is repeated."},
    };
    for (String[] c : cases) {
      Chunk chunk = new Chunk(0, c[2], c[1], 3);
      assertThat(IngestionBenchmark.embedText(c[0], chunk))
          .as("title '%s', heading '%s'", c[0], c[1])
          .isEqualTo(Ingestor.embedText(c[0], chunk));
    }
  }
}
