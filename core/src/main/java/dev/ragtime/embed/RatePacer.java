package dev.ragtime.embed;

import dev.ragtime.provider.RateLimitHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * Smooth requests-per-minute and tokens-per-minute pacing: two {@link TokenBucket}s, so the
 * pipeline never bursts a minute's quota (providers enforce limits over short windows).
 *
 * <p><b>The burst is learned.</b> How much quota a bucket may hold (its capacity: the largest burst
 * it lets through after a pause, or a stall of the process) is kept in seconds of quota, per
 * bucket. The provider does not say over what window it enforces its limits (OpenAI quantises a
 * per-minute limit into seconds; others use a fraction of a second), but its 429s do. The burst
 * starts at {@link #START_BURST}, a tenth of a second; a 429 for a request reserved after the
 * latest shrink ({@link #rateLimited}) halves it ({@link #BURST_SHRINK}; down to {@link
 * #MIN_BURST}), while later 429s for requests reserved before that shrink, which belong to the same
 * burst, do not halve it again; and every 429 empties the buckets, since the provider has just said
 * that its own is empty. Every request grows the burst back by {@link #BURST_GROWTH} of the quota
 * it takes (up to {@link #MAX_BURST}): at a steady full rate a hundredth of a second per second.
 *
 * <p><b>Two charges per request.</b> {@link #reserve} schedules a request: it charges the buckets
 * when the request is handed over and answers how long to wait. {@link #admit} charges it again
 * when it really leaves, to a second pair of buckets with the same rates and bursts, which see what
 * the provider sees. Senders due at different times can wake together (a stalled process, a busy
 * CPU); without the second charge they would all leave at once, a burst the schedule never allowed,
 * and on a provider with a short window draw 429s. A {@code Retry-After} pause puts all four
 * buckets so far into debt that they are empty when it ends: requests reserved during the pause
 * leave after it one by one at the paced rate, not all at its end.
 *
 * <p>It learns from the provider. {@code x-ratelimit-limit-*} sets the rate of a limit that was not
 * configured to 90% of the reported limit, following later reports down and up; a configured rate
 * is only ever lowered to the reported limit, and returns to the configured value when the reports
 * rise again (see {@link #adopt}). {@code x-ratelimit-remaining-*} clamps the buckets so we slow
 * down before a 429.
 *
 * <p>Besides its own pacing it enforces two waits the provider orders, <em>holds</em>:
 *
 * <ul>
 *   <li>a {@code Retry-After} on a 429 pauses every sender until it has passed;
 *   <li>{@code x-ratelimit-remaining-*} with {@code x-ratelimit-reset-*}: when what the provider
 *       said was left, minus what has been reserved since, does not cover a request, the request
 *       waits until the quota it needs is back instead of drawing a certain 429. {@code reset} is
 *       the time until the quota is full again (OpenAI's definition). When the limit is reported
 *       too, the quota is taken to refill evenly from {@code remaining} to {@code limit} over
 *       {@code reset}, as OpenAI's and the simulator's buckets do, so a request waits only for its
 *       own share; without a limit nothing is known before the reset, so it waits for the reset.
 * </ul>
 *
 * <p>No hold lasts longer than {@link #MAX_HOLD} from the moment it was reported: a provider asking
 * for more is treated as asking for that much. Every limit paced here is per minute, so a minute is
 * the longest wait that can be right for it; a longer {@code Retry-After} or reset means a daily
 * quota or a faulty header, and sitting it out would stall every batch of the process. After the
 * capped hold, requests go out again; a provider that is still exhausted answers 429 with a fresh
 * {@code Retry-After}, and each batch gives up at its own deadline with a retryable failure.
 *
 * <p>Thread-safe. Callers {@link #reserve}, sleep the returned wait, {@link #admit} right before
 * sending and sleep what that returns (usually nothing), and report a 429 with {@link
 * #rateLimited}; a caller that will not send after all {@link #cancel}s its reservation.
 */
final class RatePacer {
  /** Share of a provider-reported limit we aim for when the user configured none. */
  static final double LEARNED_SHARE = 0.9;

  /** The longest hold (Retry-After pause or reported reset) honoured, from when it was reported. */
  static final Duration MAX_HOLD = Duration.ofMinutes(1);

  /** The burst each bucket starts with, in seconds of quota. */
  static final double START_BURST = 0.1;

  /** The smallest burst a bucket learns, in seconds of quota (at least one request or token). */
  static final double MIN_BURST = 0.05;

  /** The largest burst a bucket learns, in seconds of quota. */
  static final double MAX_BURST = 1.0;

  /** A 429 multiplies the burst by this. */
  static final double BURST_SHRINK = 0.5;

  /** Every request grows the burst by this share of the quota it takes (seconds per second). */
  static final double BURST_GROWTH = 0.01;

  /**
   * One reserved request.
   *
   * @param delay how long the caller must wait before sending it
   * @param held whether a hold the provider ordered (not only our own pacing) is part of the wait
   * @param tokens the tokens reserved
   * @param serial this pacer's count of reservations when it was taken, from 1; tells which burst a
   *     later {@link #rateLimited} belongs to
   */
  record Reservation(Duration delay, boolean held, int tokens, long serial) {}

  private final InstantSource clock;
  private final int configuredRpm;
  private final int configuredTpm;
  // Guarded by this.
  private TokenBucket requests;
  private TokenBucket tokens;
  private Instant pausedUntil = Instant.MIN;
  private Ledger requestLedger;
  private Ledger tokenLedger;
  private double requestBurst = START_BURST; // seconds of quota
  private double tokenBurst = START_BURST;
  private TokenBucket sentRequests; // charged when a request leaves, see admit
  private TokenBucket sentTokens;
  private long serial; // reservations taken so far
  private long shrunkAt; // the serial of the last reservation before the latest shrink

  RatePacer(int rpm, int tpm, InstantSource clock) {
    this.clock = clock;
    this.configuredRpm = rpm;
    this.configuredTpm = tpm;
    Instant now = clock.instant();
    this.requests = rpm > 0 ? bucket(rpm, requestBurst, now) : null;
    this.tokens = tpm > 0 ? bucket(tpm, tokenBurst, now) : null;
  }

  /** A bucket that starts full: the burst is small, and the provider's buckets start full too. */
  private static TokenBucket bucket(double perMinute, double burstSeconds, Instant now) {
    double perSecond = perMinute / 60.0;
    double capacity = capacity(perSecond, burstSeconds);
    return new TokenBucket(perSecond, capacity, capacity, now);
  }

  private static double capacity(double perSecond, double burstSeconds) {
    return Math.max(1.0, perSecond * burstSeconds);
  }

  /** {@code wait}, or {@link #MAX_HOLD} if it is longer. */
  static Duration capHold(Duration wait) {
    return wait.compareTo(MAX_HOLD) > 0 ? MAX_HOLD : wait;
  }

  /** Reserves one request carrying {@code tokenCount} tokens. */
  synchronized Reservation reserve(int tokenCount) {
    Instant now = clock.instant();
    Duration wait = Duration.ZERO;
    if (requests != null) {
      wait = max(wait, requests.reserve(1, now));
    }
    if (tokens != null) {
      wait = max(wait, tokens.reserve(tokenCount, now));
    }
    Duration hold = hold(now, tokenCount, true);
    growBursts(tokenCount, now);
    return new Reservation(max(wait, hold), hold.isPositive(), tokenCount, ++serial);
  }

  /**
   * Every request grows the burst of each bucket by {@link #BURST_GROWTH} of the quota it takes: at
   * a steady full rate by that many seconds of burst per second, so a halved burst of a quarter
   * second takes about 12 s to come back.
   */
  private void growBursts(int tokenCount, Instant now) {
    if (requests != null && requestBurst < MAX_BURST) {
      requestBurst = Math.min(MAX_BURST, requestBurst + BURST_GROWTH / requests.perSecond());
      requests.setRate(requests.perSecond(), capacity(requests.perSecond(), requestBurst), now);
    }
    if (tokens != null && tokenBurst < MAX_BURST) {
      tokenBurst = Math.min(MAX_BURST, tokenBurst + BURST_GROWTH * tokenCount / tokens.perSecond());
      tokens.setRate(tokens.perSecond(), capacity(tokens.perSecond(), tokenBurst), now);
    }
  }

  /**
   * How much longer the request {@code reservation} was taken for must wait, now that it is about
   * to leave; zero when it leaves on time. Reservations are scheduled when they are taken, but
   * senders that were due at different times can wake together (a stalled process, a busy CPU):
   * they would all leave at once, a burst that the schedule never allowed. So besides the schedule,
   * this pacer charges every request again when it leaves, to a second pair of buckets with the
   * same rates and bursts as the first (the provider's view: what arrives when): a request that
   * finds them empty waits its turn. Call it after the wait {@link #reserve} returned, right before
   * sending; a request that is not sent after all needs no call.
   */
  synchronized Duration admit(Reservation reservation) {
    Instant now = clock.instant();
    Duration wait = Duration.ZERO;
    if (requests != null) {
      sentRequests = mirror(sentRequests, requests, now);
      wait = max(wait, sentRequests.admit(1, now));
    }
    if (tokens != null) {
      sentTokens = mirror(sentTokens, tokens, now);
      wait = max(wait, sentTokens.admit(reservation.tokens(), now));
    }
    return wait;
  }

  /** {@code sent}, created or changed to pace at the rate and burst of {@code schedule}. */
  private static TokenBucket mirror(TokenBucket sent, TokenBucket schedule, Instant now) {
    if (sent == null) {
      return new TokenBucket(schedule.perSecond(), schedule.capacity(), schedule.capacity(), now);
    }
    if (sent.perSecond() != schedule.perSecond() || sent.capacity() != schedule.capacity()) {
      sent.setRate(schedule.perSecond(), schedule.capacity(), now);
    }
    return sent;
  }

  /**
   * The provider answered 429 to the request {@code reservation} was taken for. Its bucket is
   * empty, so ours are emptied too; and unless the reservation was taken before the latest shrink
   * (it is part of a burst already paid for), the burst of both buckets shrinks by {@link
   * #BURST_SHRINK}, down to {@link #MIN_BURST}. Without a paced limit there is nothing to learn.
   */
  synchronized void rateLimited(Reservation reservation) {
    Instant now = clock.instant();
    if (requests == null && tokens == null) {
      return; // not pacing: no burst to learn
    }
    if (reservation.serial() > shrunkAt) {
      shrunkAt = serial;
      requestBurst = Math.max(MIN_BURST, requestBurst * BURST_SHRINK);
      tokenBurst = Math.max(MIN_BURST, tokenBurst * BURST_SHRINK);
      if (requests != null) {
        requests.setRate(requests.perSecond(), capacity(requests.perSecond(), requestBurst), now);
      }
      if (tokens != null) {
        tokens.setRate(tokens.perSecond(), capacity(tokens.perSecond(), tokenBurst), now);
      }
    }
    for (TokenBucket b : new TokenBucket[] {requests, tokens, sentRequests, sentTokens}) {
      if (b != null) {
        b.clampTo(0, now);
      }
    }
  }

  /** The burst each bucket allows now, in seconds of quota: {requests, tokens}. */
  synchronized double[] bursts() {
    return new double[] {requestBurst, tokenBurst};
  }

  /** Gives back a reservation whose request will not be sent (e.g. its deadline would pass). */
  synchronized void cancel(Reservation reservation) {
    Instant now = clock.instant();
    if (requests != null) {
      requests.adjust(1, now);
    }
    if (tokens != null) {
      tokens.adjust(reservation.tokens(), now);
    }
    if (requestLedger != null) {
      requestLedger.refund(1);
    }
    if (tokenLedger != null) {
      tokenLedger.refund(reservation.tokens());
    }
  }

  /**
   * How long until our own pacing would let one more request (of one token) leave at once: until
   * the request bucket holds a request and the token bucket is out of debt. Holds are not counted
   * ({@link #holdRemaining}); reserves nothing. The dispatcher keeps filling a batch for this long
   * before it seals it, so texts that arrive while the quota refills leave together.
   */
  synchronized Duration untilFree() {
    Instant now = clock.instant();
    Duration wait = Duration.ZERO;
    if (requests != null) {
      wait = max(wait, requests.until(1, now));
    }
    if (tokens != null) {
      wait = max(wait, tokens.until(1, now));
    }
    return wait;
  }

  /**
   * How long any new request must wait for the holds alone (a pause, or a reported quota that does
   * not cover even one more request of one token); reserves nothing.
   */
  synchronized Duration holdRemaining() {
    return hold(clock.instant(), 1, false);
  }

  private Duration hold(Instant now, int tokenCount, boolean spend) {
    Duration d = pausedUntil.isAfter(now) ? Duration.between(now, pausedUntil) : Duration.ZERO;
    if (requestLedger != null && requestLedger.expired(now)) {
      requestLedger = null;
    }
    if (tokenLedger != null && tokenLedger.expired(now)) {
      tokenLedger = null;
    }
    if (requestLedger != null) {
      d = max(d, requestLedger.wait(1, now, spend));
    }
    if (tokenLedger != null) {
      d = max(d, tokenLedger.wait(tokenCount, now, spend));
    }
    return d;
  }

  /** Corrects the token bucket once the provider has said how many tokens a request really had. */
  synchronized void correctTokens(int estimated, int actual) {
    if (tokens != null && estimated != actual) {
      tokens.adjust(estimated - actual, clock.instant());
    }
  }

  /**
   * Everyone waits at least until {@code retryAfter} (at most {@link #MAX_HOLD}) from now has
   * passed.
   */
  synchronized void pause(Duration retryAfter) {
    Instant now = clock.instant();
    Instant until = now.plus(capHold(retryAfter));
    if (until.isAfter(pausedUntil)) {
      pausedUntil = until;
    }
    emptyUntil(now, until);
  }

  /**
   * Puts the buckets so far into debt that they are empty at {@code until}: requests reserved
   * during a pause then leave after it one by one at the paced rate, instead of all at its end.
   */
  private void emptyUntil(Instant now, Instant until) {
    double seconds = Duration.between(now, until).toNanos() / 1e9;
    for (TokenBucket b : new TokenBucket[] {requests, tokens, sentRequests, sentTokens}) {
      if (b != null) {
        b.clampTo(-b.perSecond() * seconds, now);
      }
    }
  }

  /** Learns from a response's {@code x-ratelimit-*} headers. */
  synchronized void observe(RateLimitHeaders h) {
    Instant now = clock.instant();
    if (h.limitRequests().isPresent() && h.limitRequests().getAsLong() > 0) {
      requests = adopt(requests, configuredRpm, h.limitRequests().getAsLong(), requestBurst, now);
    }
    if (h.limitTokens().isPresent() && h.limitTokens().getAsLong() > 0) {
      tokens = adopt(tokens, configuredTpm, h.limitTokens().getAsLong(), tokenBurst, now);
    }
    if (requests != null && h.remainingRequests().isPresent()) {
      requests.clampTo(h.remainingRequests().getAsLong(), now);
    }
    if (tokens != null && h.remainingTokens().isPresent()) {
      tokens.clampTo(h.remainingTokens().getAsLong(), now);
    }
    if (h.remainingRequests().isPresent() && h.resetRequests().isPresent()) {
      requestLedger =
          new Ledger(
              h.remainingRequests().getAsLong(),
              h.limitRequests().orElse(0),
              now,
              h.resetRequests().get());
    }
    if (h.remainingTokens().isPresent() && h.resetTokens().isPresent()) {
      tokenLedger =
          new Ledger(
              h.remainingTokens().getAsLong(),
              h.limitTokens().orElse(0),
              now,
              h.resetTokens().get());
    }
  }

  /**
   * The rate to pace a limit at once the provider has reported it.
   *
   * <ul>
   *   <li>Not configured: {@code 0.9 × reported} ({@link #LEARNED_SHARE}), creating the bucket if
   *       there was none, and following every later report down <em>and up</em>. The header is the
   *       account's current limit (it changes with the provider's usage tiers), and nothing else
   *       bounds the rate; the 10% margin absorbs our token estimates and other clients of the key.
   *   <li>Configured: {@code min(configured, reported)}. The configured rate is the operator's
   *       ceiling (often a deliberate share of the key's quota), so a report never raises the rate
   *       above it; a report below it is the provider's hard limit, so the rate drops to it,
   *       without the margin the operator did not ask for; and when a later report rises, the rate
   *       rises back, up to the configured value.
   * </ul>
   */
  private static TokenBucket adopt(
      TokenBucket current,
      int configured,
      long reportedPerMinute,
      double burstSeconds,
      Instant now) {
    double target = reportedPerMinute * LEARNED_SHARE;
    if (configured > 0) {
      target = Math.min(configured, reportedPerMinute);
    }
    if (current == null) {
      return bucket(target, burstSeconds, now);
    }
    double perSecond = target / 60.0;
    if (Math.abs(current.perSecond() - perSecond) > 1e-9) {
      current.setRate(perSecond, capacity(perSecond, burstSeconds), now);
    }
    return current;
  }

  /** Requests per minute paced at now, 0 if unlimited. */
  synchronized double requestsPerMinute() {
    return requests == null ? 0 : requests.perSecond() * 60;
  }

  /** Tokens per minute paced at now, 0 if unlimited. */
  synchronized double tokensPerMinute() {
    return tokens == null ? 0 : tokens.perSecond() * 60;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /**
   * The provider's own account of one limit, from its latest report: {@code remaining} left at
   * {@code observedAt}, full again after {@code reset}; plus what we have reserved since. Pure; not
   * thread-safe (the pacer guards it).
   */
  private static final class Ledger {
    private final double remaining;
    private final double limit; // 0 when not reported
    private final Instant observedAt;
    private final Duration reset;
    private final Instant expires; // observedAt + reset, capped at MAX_HOLD
    private double spent;

    Ledger(long remaining, long limit, Instant observedAt, Duration reset) {
      this.remaining = remaining;
      this.limit = limit;
      this.observedAt = observedAt;
      this.reset = reset;
      this.expires = observedAt.plus(capHold(reset));
    }

    /** Once the (capped) reset has passed, the report says nothing more. */
    boolean expired(Instant now) {
      return !now.isBefore(expires);
    }

    /**
     * How long a request costing {@code cost} must wait for the quota it needs, counting what was
     * reserved since the report; with {@code spend}, the cost is then counted as reserved too.
     */
    Duration wait(double cost, Instant now, boolean spend) {
      double need = spent + cost;
      if (spend) {
        spent = need;
      }
      if (need <= remaining) {
        return Duration.ZERO;
      }
      Instant at = expires;
      if (limit > remaining && need <= limit) {
        // Even refill from remaining to limit over the reset: wait for this request's share only.
        double share = (need - remaining) / (limit - remaining);
        Instant even = observedAt.plusNanos((long) Math.ceil(share * reset.toNanos()));
        if (even.isBefore(at)) {
          at = even;
        }
      }
      return now.isBefore(at) ? Duration.between(now, at) : Duration.ZERO;
    }

    void refund(double cost) {
      spent = Math.max(0, spent - cost);
    }
  }
}
