package dev.ragtime.bench;

import dev.ragtime.simulator.ProviderSimulator;
import java.util.List;
import java.util.Map;

/**
 * What a contender delivered, checked against the simulator's model: every text must have exactly
 * the vector {@link ProviderSimulator#expectedVector} gives for it.
 *
 * @param delivered texts with the right vector
 * @param wrong texts with a vector that is not the simulator's for that text
 * @param lost texts without a vector
 * @param deliveredTokens simulator tokens of the delivered texts
 */
record Verification(int delivered, int wrong, int lost, long deliveredTokens) {

  /** Largest difference allowed per component (the JSON floats may be parsed through a double). */
  static final float TOLERANCE = 1e-6f;

  static Verification check(Workload workload, Map<String, float[]> vectors) {
    int delivered = 0;
    int wrong = 0;
    int lost = 0;
    long tokens = 0;
    for (List<String> document : workload.documents()) {
      for (String text : document) {
        float[] got = vectors.get(text);
        if (got == null) {
          lost++;
        } else if (matches(
            got, ProviderSimulator.expectedVector(Scenario.MODEL, text, Scenario.DIMENSION))) {
          delivered++;
          tokens += ProviderSimulator.countTokens(text);
        } else {
          wrong++;
        }
      }
    }
    return new Verification(delivered, wrong, lost, tokens);
  }

  private static boolean matches(float[] got, float[] expected) {
    if (got.length != expected.length) {
      return false;
    }
    for (int i = 0; i < got.length; i++) {
      if (Math.abs(got[i] - expected[i]) > TOLERANCE) {
        return false;
      }
    }
    return true;
  }
}
