package dev.ragtime.simulator;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Probabilities of injected faults, each per admitted embedding request (one that passed
 * validation, the concurrency limit and the rate limits). At most one fault is injected per
 * request: the simulator draws one uniform number {@code u} in {@code [0, 1)} from its seeded
 * random source and walks the faults in the order reset, 500, 502, 503, slow, hang, so the
 * probabilities must sum to at most 1.
 *
 * <p>Immutable and thread-safe.
 *
 * @param resetProbability chance of {@link Fault#RESET}
 * @param http500Probability chance of {@link Fault#HTTP_500}
 * @param http502Probability chance of {@link Fault#HTTP_502}
 * @param http503Probability chance of {@link Fault#HTTP_503}
 * @param slowProbability chance of {@link Fault#SLOW}
 * @param slowDelay the extra delay of a slow response, non-negative
 * @param hangProbability chance of {@link Fault#HANG}
 */
public record Faults(
    double resetProbability,
    double http500Probability,
    double http502Probability,
    double http503Probability,
    double slowProbability,
    Duration slowDelay,
    double hangProbability) {

  public static final Duration DEFAULT_SLOW_DELAY = Duration.ofSeconds(2);

  /** No faults at all. */
  public static final Faults NONE = builder().build();

  public Faults {
    requireProbability("resetProbability", resetProbability);
    requireProbability("http500Probability", http500Probability);
    requireProbability("http502Probability", http502Probability);
    requireProbability("http503Probability", http503Probability);
    requireProbability("slowProbability", slowProbability);
    requireProbability("hangProbability", hangProbability);
    Objects.requireNonNull(slowDelay, "slowDelay");
    if (slowDelay.isNegative()) {
      throw new IllegalArgumentException("slowDelay must not be negative, was " + slowDelay);
    }
    double sum =
        resetProbability
            + http500Probability
            + http502Probability
            + http503Probability
            + slowProbability
            + hangProbability;
    if (sum > 1.0 + 1e-9) {
      throw new IllegalArgumentException("fault probabilities must sum to at most 1, was " + sum);
    }
  }

  private static void requireProbability(String name, double p) {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException(name + " must be in [0, 1], was " + p);
    }
  }

  /** True when no fault can be injected. */
  public boolean isNone() {
    return resetProbability == 0
        && http500Probability == 0
        && http502Probability == 0
        && http503Probability == 0
        && slowProbability == 0
        && hangProbability == 0;
  }

  /** The fault selected by the uniform draw {@code u} in {@code [0, 1)}, if any. */
  Optional<Fault> pick(double u) {
    double edge = resetProbability;
    if (u < edge) {
      return Optional.of(Fault.RESET);
    }
    edge += http500Probability;
    if (u < edge) {
      return Optional.of(Fault.HTTP_500);
    }
    edge += http502Probability;
    if (u < edge) {
      return Optional.of(Fault.HTTP_502);
    }
    edge += http503Probability;
    if (u < edge) {
      return Optional.of(Fault.HTTP_503);
    }
    edge += slowProbability;
    if (u < edge) {
      return Optional.of(Fault.SLOW);
    }
    edge += hangProbability;
    if (u < edge) {
      return Optional.of(Fault.HANG);
    }
    return Optional.empty();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder()
        .resetProbability(resetProbability)
        .http500Probability(http500Probability)
        .http502Probability(http502Probability)
        .http503Probability(http503Probability)
        .slowProbability(slowProbability)
        .slowDelay(slowDelay)
        .hangProbability(hangProbability);
  }

  /** Builder with every probability 0 and {@link #DEFAULT_SLOW_DELAY}. Not thread-safe. */
  public static final class Builder {
    private double resetProbability;
    private double http500Probability;
    private double http502Probability;
    private double http503Probability;
    private double slowProbability;
    private Duration slowDelay = DEFAULT_SLOW_DELAY;
    private double hangProbability;

    private Builder() {}

    public Builder resetProbability(double p) {
      this.resetProbability = p;
      return this;
    }

    public Builder http500Probability(double p) {
      this.http500Probability = p;
      return this;
    }

    public Builder http502Probability(double p) {
      this.http502Probability = p;
      return this;
    }

    public Builder http503Probability(double p) {
      this.http503Probability = p;
      return this;
    }

    public Builder slowProbability(double p) {
      this.slowProbability = p;
      return this;
    }

    public Builder slowDelay(Duration delay) {
      this.slowDelay = delay;
      return this;
    }

    public Builder hangProbability(double p) {
      this.hangProbability = p;
      return this;
    }

    public Faults build() {
      return new Faults(
          resetProbability,
          http500Probability,
          http502Probability,
          http503Probability,
          slowProbability,
          slowDelay,
          hangProbability);
    }
  }
}
