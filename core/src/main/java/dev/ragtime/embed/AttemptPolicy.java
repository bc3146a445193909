package dev.ragtime.embed;

import dev.ragtime.provider.BatchTooLargeException;
import dev.ragtime.provider.DeadlineExceededException;
import dev.ragtime.provider.EmbeddingException;
import dev.ragtime.provider.InputTooLongException;
import dev.ragtime.provider.ProviderRejectedException;
import dev.ragtime.provider.ProviderUnavailableException;
import dev.ragtime.provider.RateLimitedException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * What to do next with a batch, given what just happened to it: the retry policy of the remote
 * sender, without any I/O. {@link RemoteSender} runs the attempts and asks {@link #next} after each
 * event; this class only decides, from the outcome, the batch's {@link State} and the clock.
 *
 * <table>
 *   <caption>Decisions</caption>
 *   <tr><th>outcome</th><th>decision</th></tr>
 *   <tr><td>success</td><td>{@link Deliver}</td></tr>
 *   <tr><td>a pacing wait is due</td><td>{@link Proceed} after it, or {@link Fail} if it would
 *       pass the deadline</td></tr>
 *   <tr><td>every breaker open</td><td>{@link WaitForBreaker} until one half-opens (not a failed
 *       attempt), or {@link Fail} if that is after the deadline</td></tr>
 *   <tr><td>no concurrency permit before the deadline</td><td>{@link Fail}</td></tr>
 *   <tr><td>429</td><td>{@link Retry} after back-off (at least Retry-After); counts against the
 *       deadline only</td></tr>
 *   <tr><td>408/409/5xx/I-O/timeout</td><td>{@link Retry} after back-off; a failed attempt:
 *       after {@code maxAttempts} of them, {@link Fail}</td></tr>
 *   <tr><td>the batch's first failure, a 5xx/408/409/I-O error that is {@linkplain
 *       Failed#isolated() isolated} and carries no Retry-After (not a timeout)</td><td>{@link
 *       Retry} at once (a fault of one request, not overload); still a failed attempt</td></tr>
 *   <tr><td>batch too large</td><td>{@link Split} (lowering the learned batch size), or {@link
 *       Fail} for a single text</td></tr>
 *   <tr><td>one input too long, or another input-specific rejection (400/422)</td><td>{@link
 *       Isolate} (halves, batch size unchanged); for a single text too long {@link Cut} (when
 *       allowed, at most {@link #MAX_CUTS} times), else {@link Fail}</td></tr>
 *   <tr><td>anything else (401/403/404, malformed answer, cancellation)</td><td>{@link
 *       Fail}</td></tr>
 * </table>
 *
 * <p>Every wait is checked against the deadline first: a batch never sleeps past it, it fails with
 * a retryable {@link DeadlineExceededException} instead. Isolation halves the batch rather than
 * grouping it by caller, so a text shared by several callers (single-flight) ends up alone and only
 * the callers holding the bad text fail; finding one bad text among n costs about 2·log2(n)
 * requests.
 *
 * <p>Thread-safe (the random generator is used under a lock); pure but for the injected clock and
 * random generator.
 */
final class AttemptPolicy {
  /**
   * How long to wait before looking again when every breaker refuses a call but one is half open
   * (its trial calls are taken; their outcome decides).
   */
  static final Duration BREAKER_POLL = Duration.ofMillis(250);

  /** How many times one over-long text is cut shorter before it fails. */
  static final int MAX_CUTS = 3;

  /** The share of an over-long text kept by each cut (by code points). */
  static final double CUT_KEEP = 0.75;

  private final int maxAttempts;
  private final boolean cutOverLong;
  private final Duration deadline;
  private final Backoff backoff;
  private final InstantSource clock;
  private final RandomGenerator random;

  /**
   * @param cutOverLong whether a single text the provider calls too long may be cut shorter and
   *     sent again (the OpenAI-compatible provider, whose inputs the pipeline already truncates to
   *     {@code maxInputTokens} by an estimate that can undercount); otherwise it fails
   */
  AttemptPolicy(
      int maxAttempts,
      boolean cutOverLong,
      Duration deadline,
      Backoff backoff,
      InstantSource clock,
      RandomGenerator random) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
    }
    this.maxAttempts = maxAttempts;
    this.cutOverLong = cutOverLong;
    this.deadline = deadline;
    this.backoff = backoff;
    this.clock = clock;
    this.random = random;
  }

  /**
   * Where one batch stands.
   *
   * @param size texts in the batch
   * @param deadline when it must be done
   * @param attempts failed attempts that count against {@code maxAttempts} (not 429s)
   * @param failures every failed attempt, 429s included (drives the back-off)
   * @param last the latest failure, if any
   * @param cuts how often the (single) text was cut shorter because the provider called it too long
   */
  record State(
      int size,
      Instant deadline,
      int attempts,
      int failures,
      Optional<EmbeddingException> last,
      int cuts) {

    /** A new batch (or a part of a split one, which keeps the whole's deadline). */
    static State start(int size, Instant deadline) {
      return new State(size, deadline, 0, 0, Optional.empty(), 0);
    }

    /** After a failed attempt; {@code counted} when it counts against max attempts. */
    State failed(EmbeddingException failure, boolean counted) {
      return new State(
          size, deadline, attempts + (counted ? 1 : 0), failures + 1, Optional.of(failure), cuts);
    }

    /** After the text was cut shorter. */
    State cut(EmbeddingException failure) {
      return new State(size, deadline, attempts, failures, Optional.of(failure), cuts + 1);
    }
  }

  /** Something that happened to the batch. */
  sealed interface Outcome {}

  /** The provider returned vectors. */
  record Succeeded() implements Outcome {}

  /** The rate pacer asks for {@code delay} before the request may be sent (zero: none). */
  record Paced(Duration delay) implements Outcome {}

  /** No endpoint's breaker admits a call; one may in {@code untilHalfOpen}. */
  record BreakersOpen(Duration untilHalfOpen, String endpoints) implements Outcome {}

  /** No concurrency permit came free before the deadline. */
  record NoPermit() implements Outcome {}

  /**
   * The attempt failed.
   *
   * @param isolated whether the failure stands alone: the endpoint's recent answers show no run of
   *     failures ({@link UnavailableWindow}), so it is a fault of this one request rather than a
   *     sign of overload or an outage
   */
  record Failed(EmbeddingException failure, boolean isolated) implements Outcome {
    /** A failure not known to be isolated (it is treated as possible overload). */
    Failed(EmbeddingException failure) {
      this(failure, false);
    }
  }

  /** What to do. */
  sealed interface Decision {}

  /** Hand the vectors to the callers. */
  record Deliver() implements Decision {}

  /** Wait {@code delay} (our own pacing or a provider-ordered hold), then send. */
  record Proceed(Duration delay) implements Decision {}

  /** Wait {@code delay}, then try again from the start; the state to continue with. */
  record Retry(Duration delay, State next) implements Decision {}

  /** Wait {@code delay} for a breaker to half-open, then try again; not a failed attempt. */
  record WaitForBreaker(Duration delay) implements Decision {}

  /** Too large: send the halves separately and lower the learned batch size. */
  record Split() implements Decision {}

  /** Something in the batch was rejected: send the halves separately, batch size unchanged. */
  record Isolate() implements Decision {}

  /**
   * The single text is too long for the provider: send it again cut to {@link #CUT_KEEP} of its
   * length, right away; the state to continue with.
   */
  record Cut(State next) implements Decision {}

  /** Fail every text of the batch with {@code cause}. */
  record Fail(EmbeddingException cause) implements Decision {}

  /** The next step for a batch in {@code state} after {@code outcome}. */
  Decision next(Outcome outcome, State state) {
    return switch (outcome) {
      case Succeeded s -> new Deliver();
      case Paced p -> paced(p.delay(), state);
      case BreakersOpen b -> breakersOpen(b, state);
      case NoPermit n ->
          new Fail(
              deadlineExceeded(
                  "deadline of "
                      + deadline
                      + " for this batch passed while waiting for a concurrency permit",
                  state.last()));
      case Failed f -> failed(f.failure(), f.isolated(), state);
    };
  }

  private Decision paced(Duration delay, State state) {
    if (!clock.instant().plus(delay).isBefore(state.deadline())) {
      return new Fail(
          deadlineExceeded(
              "deadline of "
                  + deadline
                  + " for this batch would pass while waiting "
                  + delay
                  + " for rate limits (pacing, a Retry-After pause or a reported quota reset)",
              state.last()));
    }
    return new Proceed(delay);
  }

  private Decision breakersOpen(BreakersOpen b, State state) {
    Duration wait = b.untilHalfOpen().isPositive() ? b.untilHalfOpen() : BREAKER_POLL;
    if (!clock.instant().plus(wait).isBefore(state.deadline())) {
      var open =
          new ProviderUnavailableException(
              "every embedding endpoint's circuit breaker is open (" + b.endpoints() + ")",
              0,
              null,
              Optional.empty(),
              false,
              null);
      return new Fail(
          new DeadlineExceededException(
              "deadline of "
                  + deadline
                  + " for this batch would pass before a circuit breaker half-opens: "
                  + open.getMessage()
                  + state.last().map(l -> "; last failure: " + l.getMessage()).orElse(""),
              open));
    }
    return new WaitForBreaker(wait);
  }

  private Decision failed(EmbeddingException e, boolean isolated, State state) {
    return switch (e) {
      case RateLimitedException r -> retry(e, state.failed(e, false), r.retryAfter());
      case ProviderUnavailableException u -> {
        State next = state.failed(e, true);
        if (next.attempts() >= maxAttempts) {
          yield new Fail(
              new DeadlineExceededException(
                  "gave up after " + next.attempts() + " failed attempts: " + e.getMessage(), e));
        }
        if (isolated && next.failures() == 1 && u.retryAfter().isEmpty() && !u.timeout()) {
          // A lone fault of one request: waiting says nothing the provider asked for and only
          // lengthens the batch. A second failure of the same batch backs off as usual.
          yield new Retry(Duration.ZERO, next);
        }
        yield retry(e, next, u.retryAfter());
      }
      case BatchTooLargeException t -> state.size() > 1 ? new Split() : new Fail(e);
      case InputTooLongException t -> {
        if (state.size() > 1) {
          yield new Isolate();
        }
        yield cutOverLong && state.cuts() < MAX_CUTS ? new Cut(state.cut(e)) : new Fail(e);
      }
      case ProviderRejectedException r ->
          r.inputSpecific() && state.size() > 1 ? new Isolate() : new Fail(e);
      default -> new Fail(e);
    };
  }

  private Decision retry(EmbeddingException e, State next, Optional<Duration> retryAfter) {
    Duration wait;
    synchronized (random) { // RandomGenerator implementations are rarely thread-safe; never blocks
      wait = backoff.delay(next.failures(), retryAfter.map(RatePacer::capHold), random);
    }
    if (clock.instant().plus(wait).isAfter(next.deadline())) {
      return new Fail(
          new DeadlineExceededException(
              "deadline of "
                  + deadline
                  + " for this batch would pass before the next attempt: "
                  + e.getMessage(),
              e));
    }
    return new Retry(wait, next);
  }

  private static DeadlineExceededException deadlineExceeded(
      String message, Optional<EmbeddingException> last) {
    return last.isEmpty()
        ? new DeadlineExceededException(message)
        : new DeadlineExceededException(
            message + "; last failure: " + last.get().getMessage(), last.get());
  }
}
