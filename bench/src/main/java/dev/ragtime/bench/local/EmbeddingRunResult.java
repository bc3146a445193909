package dev.ragtime.bench.local;

import java.util.Map;

/**
 * What one contender run measured, written by {@link LocalEmbeddingRun} as JSON and read by {@link
 * LocalEmbeddingBenchmark}.
 *
 * @param label contender label, e.g. {@code ragtime} or {@code plain-b32}
 * @param round 1-based round
 * @param settings what the contender ran with
 * @param texts texts embedded in the timed part
 * @param wordPieces their word-pieces (without [CLS] and [SEP])
 * @param loadSeconds model load, not timed
 * @param seconds the timed part: first text handed over to last vector back
 * @param inferenceSeconds time inside ONNX Runtime's run calls, NaN where not exposed
 * @param ownCores average cores this JVM used during the timed part
 * @param otherCores average cores other processes used meanwhile
 * @param loadAverage 1-minute load average at the end
 * @param sampleVectors vectors of every 50th text, by index, to check contenders agree
 * @param error the failure, empty if none
 */
record EmbeddingRunResult(
    String label,
    int round,
    String settings,
    int texts,
    long wordPieces,
    double loadSeconds,
    double seconds,
    double inferenceSeconds,
    double ownCores,
    double otherCores,
    double loadAverage,
    Map<Integer, float[]> sampleVectors,
    String error) {

  double textsPerSecond() {
    return texts / seconds;
  }

  double wordPiecesPerSecond() {
    return wordPieces / seconds;
  }

  boolean ok() {
    return error.isEmpty();
  }

  static EmbeddingRunResult failed(String label, int round, String error) {
    return new EmbeddingRunResult(
        label,
        round,
        "",
        0,
        0,
        Double.NaN,
        Double.NaN,
        Double.NaN,
        Double.NaN,
        Double.NaN,
        Double.NaN,
        Map.of(),
        error);
  }
}
