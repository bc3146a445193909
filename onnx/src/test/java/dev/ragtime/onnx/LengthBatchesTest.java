package dev.ragtime.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LengthBatchesTest {

  @Test
  void everyInputLandsInExactlyOneBatchSortedLongestFirst() {
    Random random = new Random(42);
    int[] lengths = random.ints(1000, 3, 257).toArray();

    List<int[]> batches = LengthBatches.plan(lengths, 32, 2048);

    List<Integer> seen = new ArrayList<>();
    int previous = Integer.MAX_VALUE;
    for (int[] batch : batches) {
      assertThat(batch).isNotEmpty();
      for (int index : batch) {
        assertThat(lengths[index]).isLessThanOrEqualTo(previous);
        previous = lengths[index];
        seen.add(index);
      }
    }
    assertThat(seen).hasSize(lengths.length).doesNotHaveDuplicates();
  }

  @Test
  void batchesRespectTheRowLimitAndTheTokenBudget() {
    Random random = new Random(7);
    int[] lengths = random.ints(500, 3, 257).toArray();

    for (int[] batch : LengthBatches.plan(lengths, 16, 1024)) {
      int longest = Arrays.stream(batch).map(i -> lengths[i]).max().orElseThrow();
      assertThat(batch.length).isLessThanOrEqualTo(16);
      assertThat(batch.length * longest).isLessThanOrEqualTo(1024);
    }
  }

  @Test
  void shortInputsFillWholeBatchesAndLongOnesGetSmallerBatches() {
    int[] shortOnes = new int[64];
    Arrays.fill(shortOnes, 20);
    assertThat(LengthBatches.plan(shortOnes, 32, 2048))
        .extracting(b -> b.length)
        .containsExactly(32, 32);

    int[] longOnes = new int[16];
    Arrays.fill(longOnes, 256);
    assertThat(LengthBatches.plan(longOnes, 32, 2048))
        .extracting(b -> b.length)
        .containsExactly(8, 8);
  }

  @Test
  void anInputLongerThanTheBudgetStillGetsABatchOfItsOwn() {
    assertThat(LengthBatches.plan(new int[] {512, 512}, 32, 100))
        .extracting(b -> b.length)
        .containsExactly(1, 1);
  }

  @Test
  void equalLengthsKeepTheirInputOrder() {
    assertThat(LengthBatches.plan(new int[] {5, 9, 5, 9}, 8, 1000).get(0))
        .containsExactly(1, 3, 0, 2);
  }

  @Test
  void noInputsMeansNoBatches() {
    assertThat(LengthBatches.plan(new int[0], 8, 100)).isEmpty();
  }

  @Test
  void rejectsNonPositiveLimitsNamingTheValue() {
    assertThatThrownBy(() -> LengthBatches.plan(new int[] {1}, 0, 100))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was 0");
    assertThatThrownBy(() -> LengthBatches.plan(new int[] {1}, 4, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was -1");
  }
}
