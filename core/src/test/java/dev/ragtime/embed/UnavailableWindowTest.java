package dev.ragtime.embed;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A 503 is overload only when 503s cluster: 4 of the last 10 answers. */
class UnavailableWindowTest {

  @Test
  void scattered503sAreFaultsAndFourInTenAreACluster() {
    var w = new UnavailableWindow();
    // One 503 in every five answers: at most two in any ten, never a cluster.
    for (int i = 0; i < 100; i++) {
      assertThat(w.record(i % 5 == 0)).as("answer %d", i).isFalse();
    }
    var burst = new UnavailableWindow();
    assertThat(burst.record(true)).isFalse();
    assertThat(burst.record(true)).isFalse();
    assertThat(burst.record(true)).isFalse();
    assertThat(burst.record(true)).isTrue();
    assertThat(burst.record(false)).as("a success is never overload").isFalse();
  }

  @Test
  void old503sLeaveTheWindow() {
    var w = new UnavailableWindow();
    w.record(true);
    w.record(true);
    w.record(true);
    for (int i = 0; i < UnavailableWindow.WINDOW - 3; i++) {
      w.record(false);
    }
    // The three 503s are now the oldest; the next answer pushes the first one out.
    assertThat(w.record(true)).isFalse();
  }
}
