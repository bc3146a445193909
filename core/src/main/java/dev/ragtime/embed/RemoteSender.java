package dev.ragtime.embed;

import dev.ragtime.embed.AttemptPolicy.BreakersOpen;
import dev.ragtime.embed.AttemptPolicy.Cut;
import dev.ragtime.embed.AttemptPolicy.Decision;
import dev.ragtime.embed.AttemptPolicy.Fail;
import dev.ragtime.embed.AttemptPolicy.Failed;
import dev.ragtime.embed.AttemptPolicy.Isolate;
import dev.ragtime.embed.AttemptPolicy.NoPermit;
import dev.ragtime.embed.AttemptPolicy.Paced;
import dev.ragtime.embed.AttemptPolicy.Retry;
import dev.ragtime.embed.AttemptPolicy.Split;
import dev.ragtime.embed.AttemptPolicy.State;
import dev.ragtime.embed.AttemptPolicy.WaitForBreaker;
import dev.ragtime.provider.BatchTooLargeException;
import dev.ragtime.provider.EmbeddingCancelledException;
import dev.ragtime.provider.EmbeddingException;
import dev.ragtime.provider.InputTooLongException;
import dev.ragtime.provider.MalformedResponseException;
import dev.ragtime.provider.ProviderRejectedException;
import dev.ragtime.provider.ProviderResponse;
import dev.ragtime.provider.ProviderUnavailableException;
import dev.ragtime.provider.RateLimitedException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The remote half of the pipeline: runs the attempts of one batch until it is delivered or has
 * definitely failed. What to do after each event is decided by the pure {@link AttemptPolicy}; this
 * class only carries it out, and owns the resources an attempt holds.
 *
 * <p>One attempt: take a concurrency permit (the first comes from the dispatcher; later ones wait
 * at most until the deadline), reserve RPM and TPM quota (the dispatcher reserved the first
 * attempt's when it sealed the batch), wait for it, take a call from an endpoint's circuit breaker
 * (preferring the next endpoint after a failure: failover), and send under a hard bound of {@code
 * min(timeout, deadline − now)}, after which the exchange is cancelled. Every resource an attempt
 * takes is given back if it goes unused: the reservation when the request is never sent (deadline,
 * interrupt, every breaker open), the breaker's call when no answer reached it, the permit on every
 * path.
 *
 * <p>During a wait the provider ordered (a {@code Retry-After} pause or a reported quota reset,
 * {@link RatePacer}) and while waiting for a breaker to half-open the permit is given back and
 * taken again afterwards; during our own pacing it is kept, so the dispatcher keeps forming full
 * batches rather than one small batch for every permit freed.
 *
 * <p>Signals, per outcome: a success feeds the breaker, the AIMD limit, the learned batch size and
 * the token correction. A 429 shrinks the AIMD limit and pauses pacing for its Retry-After. A
 * timeout or a 503 that is overload (it carries Retry-After, or 503s cluster: {@link
 * UnavailableWindow}) shrinks the AIMD limit too; any other 5xx, 408/409 or I/O error counts only
 * against the breaker.
 *
 * <p>Retries: a batch's first failure that stands alone (no run of 5xx, I/O errors or timeouts in
 * the endpoint's recent answers, a second {@link UnavailableWindow}, and no Retry-After) is a fault
 * of one request and is retried at once; any other is retried after the policy's back-off. Every
 * permit a batch takes after its first (a retry, after a hold or a breaker wait, for the halves of
 * a split) is taken {@linkplain AdaptiveLimiter#acquireAhead ahead} of new batches, so work under
 * way finishes first and a fault does not lengthen the run by a queue wait; a batch that goes again
 * at once {@linkplain AdaptiveLimiter.Permit#renew renews} its permit in one step. "Batch too
 * large" lowers the learned batch size ({@link BatchLimit}); "one input too long" does not: the
 * input is isolated and, when the policy allows, cut shorter and sent again (its vector is
 * delivered and cached as the vector of the caller's text).
 *
 * <p>Thread-safe; runs on the caller-provided executor.
 */
final class RemoteSender implements BatchSender {
  private final EndpointGroup endpoints;
  private final AdaptiveLimiter limiter;
  private final RatePacer pacer;
  private final AttemptPolicy policy;
  private final BatchLimit batchLimit;
  private final InstantSource clock;
  private final Sleeper sleeper;
  private final Sink sink;
  private final PipelineMetrics metrics;
  private final Duration deadline;
  private final List<UnavailableWindow> windows; // 503s, per endpoint: overload or a fault?
  private final List<UnavailableWindow> faultWindows; // any 5xx, I/O error or timeout, per endpoint

  RemoteSender(
      EmbeddingConfig config,
      EndpointGroup endpoints,
      AdaptiveLimiter limiter,
      RatePacer pacer,
      AttemptPolicy policy,
      BatchLimit batchLimit,
      InstantSource clock,
      Sleeper sleeper,
      Sink sink,
      PipelineMetrics metrics) {
    this.endpoints = endpoints;
    this.limiter = limiter;
    this.pacer = pacer;
    this.policy = policy;
    this.batchLimit = batchLimit;
    this.clock = clock;
    this.sleeper = sleeper;
    this.sink = sink;
    this.metrics = metrics;
    this.deadline = config.deadline();
    var w = new ArrayList<UnavailableWindow>();
    var f = new ArrayList<UnavailableWindow>();
    for (int i = 0; i < endpoints.size(); i++) {
      w.add(new UnavailableWindow());
      f.add(new UnavailableWindow());
    }
    this.windows = List.copyOf(w);
    this.faultWindows = List.copyOf(f);
  }

  @Override
  public void send(
      List<PendingText> batch,
      AdaptiveLimiter.Permit permit,
      Optional<RatePacer.Reservation> reserved) {
    try {
      run(batch, permit, reserved.orElse(null), clock.instant().plus(deadline));
    } catch (RuntimeException e) {
      // A defect: still never leave a caller waiting, and stay in the taxonomy.
      sink.fail(batch, BatchSender.unexpected("sending a batch", e));
    } finally {
      permit.ignore(); // no-op unless a defect left it unresolved
    }
  }

  private void run(
      List<PendingText> items,
      AdaptiveLimiter.Permit firstPermit,
      RatePacer.Reservation firstReservation,
      Instant due) {
    List<String> texts = items.stream().map(p -> p.text).toList();
    int tokens = items.stream().mapToInt(p -> p.tokens).sum();
    State state = State.start(items.size(), due);
    AdaptiveLimiter.Permit permit = firstPermit;
    RatePacer.Reservation reserved = firstReservation; // the dispatcher's, for the first attempt
    int preferred = 0;
    try {
      while (true) {
        if (permit == null) {
          Optional<AdaptiveLimiter.Permit> taken = limiter.acquireAhead(until(due));
          if (taken.isEmpty()) {
            if (reserved != null) {
              pacer.cancel(reserved);
            }
            fail(items, policy.next(new NoPermit(), state));
            return;
          }
          permit = taken.get();
        }

        RatePacer.Reservation pace = reserved != null ? reserved : pacer.reserve(tokens);
        reserved = null;
        boolean sent = false;
        try {
          if (policy.next(new Paced(pace.delay()), state) instanceof Fail f) {
            sink.fail(items, f.cause());
            return;
          }
          if (pace.delay().isPositive()) {
            metrics.pacing(pace.delay());
            if (pace.held()) {
              // The provider ordered the wait and nothing can be sent before it ends: give the
              // concurrency slot back meanwhile (the dispatcher forms no batch during a hold).
              permit.ignore();
              permit = null;
            }
            sleeper.sleep(pace.delay());
            if (permit == null) {
              Optional<AdaptiveLimiter.Permit> taken = limiter.acquireAhead(until(due));
              if (taken.isEmpty()) {
                fail(items, policy.next(new NoPermit(), state));
                return;
              }
              permit = taken.get();
            }
          }

          Optional<EndpointGroup.Member> member = endpoints.acquire(preferred);
          if (member.isEmpty()) {
            // Waiting for a breaker to half-open is a wait, not a failed attempt; nobody needs
            // our permit for it.
            permit.ignore();
            permit = null;
            metrics.request("none", "circuit_open", Duration.ZERO);
            Decision d =
                policy.next(new BreakersOpen(endpoints.untilHalfOpen(), endpoints.labels()), state);
            if (d instanceof WaitForBreaker w) {
              sleeper.sleep(w.delay());
              continue; // the finally gives the reservation back
            }
            fail(items, d);
            return;
          }
          Duration late = pacer.admit(pace); // senders that woke together leave one by one
          if (late.isPositive()) {
            sleeper.sleep(late);
          }

          EndpointGroup.Member m = member.get();
          if (m.index() != 0) {
            metrics.failover(m.label());
          }
          metrics.batch(items.size(), tokens);
          Duration left = until(due);
          Duration bound = left.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : left;
          sent = true;
          long sentAt = System.nanoTime();
          ProviderResponse response;
          try {
            response = m.client().embed(texts, bound);
          } catch (EmbeddingException e) {
            Assessment a = resolveFailure(m, e, Duration.ofNanos(System.nanoTime() - sentAt));
            Decision next = policy.next(new Failed(e, a.isolated()), state);
            if (next instanceof Retry r && r.delay().isZero()) {
              // Going again at once: the new permit is taken in the same step as the old one is
              // given back, so no new batch slips in between.
              permit = permit.renew(a.overload()).orElse(null);
            } else {
              if (a.overload()) {
                permit.dropped();
              } else {
                permit.ignore();
              }
              permit = null;
            }
            if (e instanceof RateLimitedException) {
              pacer.rateLimited(pace); // learn the burst the provider tolerates
            }
            if (e instanceof ProviderUnavailableException) {
              preferred = (m.index() + 1) % endpoints.size();
            }
            switch (next) {
              case Retry r -> {
                metrics.retry(e instanceof RateLimitedException ? "rate_limited" : "unavailable");
                if (r.delay().isPositive()) {
                  sleeper.sleep(r.delay());
                }
                state = r.next();
                continue;
              }
              case Split s -> {
                batchLimit.onTooLarge(items.size());
                metrics.split();
                halves(items, due);
                return;
              }
              case Cut c -> {
                String shorter = cut(texts.getFirst());
                if (shorter.isEmpty()) {
                  sink.fail(items, e);
                  return;
                }
                texts = List.of(shorter);
                state = c.next();
                continue;
              }
              case Isolate i -> {
                metrics.split();
                halves(items, due);
                return;
              }
              case Fail f -> {
                sink.fail(items, f.cause());
                return;
              }
              default -> throw new IllegalStateException("unexpected decision after a failure");
            }
          }

          m.breaker().onSuccess(response.latency().toNanos(), TimeUnit.NANOSECONDS);
          windows.get(m.index()).record(false);
          faultWindows.get(m.index()).record(false);
          permit.success(response.latency());
          permit = null;
          metrics.request(m.label(), "success", response.latency());
          batchLimit.onSuccess(items.size());
          response.promptTokens().ifPresent(actual -> pacer.correctTokens(tokens, actual));
          try {
            sink.deliver(
                items, response.vectors(), m.label(), response.promptTokens().orElse(tokens));
          } catch (MalformedResponseException e) {
            sink.fail(items, e);
          }
          return;
        } finally {
          if (!sent) {
            pacer.cancel(pace); // a reservation for a request that never left
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      sink.fail(items, new EmbeddingCancelledException("embedding interrupted", e));
    } finally {
      if (permit != null) { // only when the loop ended without resolving it
        permit.ignore();
      }
    }
  }

  /**
   * The text cut to {@link AttemptPolicy#CUT_KEEP} of its code points (never inside a surrogate
   * pair). Its vector is still delivered, and cached, as the vector of the text the caller gave.
   */
  static String cut(String text) {
    int points = text.codePointCount(0, text.length());
    int keep = (int) (points * AttemptPolicy.CUT_KEEP);
    return text.substring(0, text.offsetByCodePoints(0, keep)).strip();
  }

  /** Sends each half as a batch of its own, under the same deadline and with fresh attempts. */
  private void halves(List<PendingText> items, Instant due) {
    int half = items.size() / 2;
    run(new ArrayList<>(items.subList(0, half)), null, null, due);
    run(new ArrayList<>(items.subList(half, items.size())), null, null, due);
  }

  /**
   * Feeds a failed attempt to the breaker, the AIMD limit (through the permit), the pacer and the
   * metrics. Only "this endpoint is unwell" counts against the breaker; only overload (429, a
   * timeout, a 503 the provider marks with Retry-After or that clusters) shrinks the limit.
   *
   * @return whether the failure is overload (for the permit) and whether it stands alone
   */
  private Assessment resolveFailure(EndpointGroup.Member m, EmbeddingException e, Duration took) {
    UnavailableWindow window = windows.get(m.index());
    UnavailableWindow faults = faultWindows.get(m.index());
    switch (e) {
      case RateLimitedException r -> {
        m.breaker().releasePermission();
        window.record(false);
        metrics.request(m.label(), "rate_limited", took);
        r.retryAfter().ifPresent(pacer::pause);
        faults.record(false);
        return new Assessment(true, false);
      }
      case ProviderUnavailableException u -> {
        m.breaker().onError(took.toNanos(), TimeUnit.NANOSECONDS, u);
        int status = u.status().orElse(0);
        boolean overload = u.timeout();
        if (status == 503) {
          boolean clustered = window.record(true);
          overload = u.retryAfter().isPresent() || clustered;
        } else if (status > 0) {
          window.record(false);
        }
        metrics.request(m.label(), u.timeout() ? "timeout" : "unavailable", took);
        return new Assessment(overload, !faults.record(true));
      }
      default -> {
        m.breaker().releasePermission();
        if (e.status().isPresent()) {
          window.record(false);
          faults.record(false);
        }
        metrics.request(m.label(), outcome(e), took);
        return new Assessment(false, false);
      }
    }
  }

  /**
   * What a failed attempt says: {@code overload} shrinks the concurrency limit (429, a timeout, a
   * 503 with Retry-After or in a cluster); {@code isolated}: a 5xx, I/O error or timeout that does
   * not cluster with others in the endpoint's recent answers.
   */
  private record Assessment(boolean overload, boolean isolated) {}

  private static String outcome(EmbeddingException e) {
    return switch (e) {
      case BatchTooLargeException t -> "too_large";
      case InputTooLongException t -> "too_long";
      case ProviderRejectedException r -> "rejected";
      case MalformedResponseException m -> "malformed";
      default -> "cancelled";
    };
  }

  private void fail(List<PendingText> items, Decision decision) {
    if (decision instanceof Fail f) {
      sink.fail(items, f.cause());
    } else {
      throw new IllegalStateException("expected a failure, got " + decision);
    }
  }

  /** Time left until {@code due} on the injected clock (negative once it has passed). */
  private Duration until(Instant due) {
    return Duration.between(clock.instant(), due);
  }
}
