package dev.ragtime.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ragtime.index.Candidate;
import java.util.List;
import org.junit.jupiter.api.Test;

class DocumentRankingTest {

  private static Candidate chunk(String chunkId, float score) {
    return new Candidate(chunkId.substring(0, chunkId.indexOf('#')), chunkId, score, 0);
  }

  @Test
  void aDocumentScoresAsItsBestChunkNotTheSumOfItsChunks() {
    List<DocumentHit> docs =
        DocumentRanking.byBestChunk(
            List.of(
                chunk("a#0", 3.0f),
                chunk("many#0", 2.9f),
                chunk("many#1", 2.8f),
                chunk("many#2", 2.7f),
                chunk("b#0", 2.5f),
                chunk("a#1", 2.0f),
                chunk("c#0", 1.0f),
                chunk("b#1", 0.5f)));

    assertThat(docs)
        .containsExactly(
            new DocumentHit("a", 3.0f),
            new DocumentHit("many", 2.9f),
            new DocumentHit("b", 2.5f),
            new DocumentHit("c", 1.0f));
  }

  @Test
  void documentsAreOrderedByBestScoreEvenWhenTheChunksAreNot() {
    List<DocumentHit> docs =
        DocumentRanking.byBestChunk(
            List.of(chunk("a#0", 1f), chunk("b#0", 2f), chunk("a#1", 5f), chunk("c#0", 2f)));

    // b and c tie at 2; b's best chunk comes first.
    assertThat(docs)
        .containsExactly(
            new DocumentHit("a", 5f), new DocumentHit("b", 2f), new DocumentHit("c", 2f));
  }

  @Test
  void negativeScoresAndAnEmptyListAreHandled() {
    assertThat(DocumentRanking.byBestChunk(List.of())).isEmpty();
    assertThat(DocumentRanking.byBestChunk(List.of(chunk("a#0", -0.5f), chunk("a#1", -0.2f))))
        .containsExactly(new DocumentHit("a", -0.2f));
  }
}
