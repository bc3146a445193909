package dev.ragtime.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ragtime.document.JsonlCorpus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A corpus record as a document: its id, where it came from, and a hash of what it says. */
class CorpusSourcesTest {
  @Test
  void eachRecordIsADocumentNamedAfterTheCorpusAndHashedByItsTitleAndText(@TempDir Path tmp)
      throws IOException {
    Path file = tmp.resolve("c.jsonl");
    Files.writeString(
        file,
        """
        {"_id":"a","title":"Tides","text":"The moon pulls the sea."}
        {"_id":"b","title":"Tides","text":"The moon pulls the sea!"}
        {"_id":"c","title":"Tidal","text":"The moon pulls the sea."}
        {"_id":"d","title":"Tides","text":"The moon pulls the sea."}
        """);
    var docs = new ArrayList<SourceDocument>();
    try (JsonlCorpus corpus = JsonlCorpus.open(file)) {
      CorpusSources.of(corpus, "c.jsonl").forEachRemaining(docs::add);

      assertThat(docs).extracting(SourceDocument::id).containsExactly("a", "b", "c", "d");
      assertThat(docs).extracting(SourceDocument::path).first().isEqualTo("c.jsonl#a");
      assertThat(docs.get(0).parse().title()).isEqualTo("Tides");
      assertThat(docs.get(0).parse().plainText()).isEqualTo("The moon pulls the sea.");
      String a = docs.get(0).contentHash("f1");
      assertThat(a).isNotBlank();
      assertThat(docs.get(3).contentHash("f1")).as("same title and text").isEqualTo(a);
      assertThat(docs.get(1).contentHash("f1")).as("other text").isNotEqualTo(a);
      assertThat(docs.get(2).contentHash("f1")).as("other title").isNotEqualTo(a);
      assertThat(docs.get(0).contentHash("f2")).as("other fingerprint").isNotEqualTo(a);
    }
  }
}
