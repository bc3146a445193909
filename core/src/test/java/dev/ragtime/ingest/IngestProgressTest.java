package dev.ragtime.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which counters each event moves: every finished document, whatever its outcome, is done. */
class IngestProgressTest {
  @Test
  void aNewRunKnowsNoTotalAndHasDoneNothing() {
    var p = new IngestProgress();
    assertThat(p.total()).isEqualTo(-1);
    assertThat(p.done()).isZero();
    assertThat(p.chunks()).isZero();
    assertThat(p.embedded()).isZero();
    assertThat(p.unchanged()).isZero();
    assertThat(p.failed()).isZero();
  }

  @Test
  void eachOutcomeCountsOneDocumentDoneAndOnlyItsOwnCounter() {
    var p = new IngestProgress();
    p.total(7);
    p.written(3);
    p.written(2);
    assertThat(p.done()).isEqualTo(2);
    assertThat(p.chunks()).isEqualTo(5);

    p.unchangedDocument();
    assertThat(p.done()).isEqualTo(3);
    assertThat(p.unchanged()).isEqualTo(1);

    p.failedDocument();
    p.failedDocument();
    assertThat(p.done()).isEqualTo(5);
    assertThat(p.failed()).isEqualTo(2);

    p.embeddedChunks(4);
    p.embeddedChunks(6);
    assertThat(p.embedded()).isEqualTo(10);
    assertThat(p.done()).as("embedding alone finishes no document").isEqualTo(5);
    assertThat(p.total()).isEqualTo(7);
    assertThat(p.chunks()).isEqualTo(5);
    assertThat(p.unchanged()).isEqualTo(1);
  }
}
