package dev.ragtime.embed;

import dev.ragtime.provider.BatchTooLargeException;
import dev.ragtime.provider.DeadlineExceededException;
import dev.ragtime.provider.EmbeddingCancelledException;
import dev.ragtime.provider.EmbeddingException;
import dev.ragtime.provider.MalformedResponseException;
import dev.ragtime.provider.ProviderRejectedException;
import dev.ragtime.provider.ProviderResponse;
import dev.ragtime.provider.ProviderUnavailableException;
import dev.ragtime.provider.RateLimitedException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

/**
 * The remote half of the pipeline: sends one batch until it is delivered or has definitely failed.
 *
 * <p>Each attempt: take a concurrency permit (the first comes from the dispatcher), reserve RPM and
 * TPM quota and wait for it, pick an endpoint whose circuit breaker admits a call (preferring the
 * next one after a failure: failover), send, and classify the outcome. Before any wait, pacing or
 * back-off, the batch fails with a retryable {@link DeadlineExceededException} if the wait would
 * take it past its deadline. During a wait the provider ordered (a {@code Retry-After} pause or a
 * reported quota reset, {@link RatePacer}) the permit is given back and taken again afterwards;
 * during our own pacing it is kept, so the dispatcher keeps forming full batches rather than one
 * small batch for every permit freed. Outcomes:
 *
 * <ul>
 *   <li>success: feed the breaker, the AIMD limit and the token correction, then deliver;
 *   <li>429: shrink the limit, pause pacing for Retry-After (at most {@link RatePacer#MAX_HOLD}),
 *       back off and retry (429s count against the deadline only, not against max attempts: the
 *       provider told us when to return);
 *   <li>408/409/5xx/I-O/timeout: count against the breaker, back off with full jitter (at least
 *       Retry-After), retry on the next endpoint;
 *   <li>too large: learn a smaller batch size and split in halves, recursively: never dropped;
 *   <li>input-specific rejection (400/422) of a batch shared by several callers: retry each
 *       caller's texts on their own, so only the caller whose input is bad fails;
 *   <li>other rejections, malformed responses, cancellation: fail the batch.
 * </ul>
 *
 * <p>Every batch has a deadline ({@code config.deadline()} from its first attempt) and at most
 * {@code config.maxAttempts()} failed attempts that are not 429 (the first included; the halves of
 * a split and per-caller re-sends count afresh). Thread-safe; runs on the caller-provided executor.
 */
final class RemoteSender implements BatchSender {
  private final EmbeddingConfig config;
  private final EndpointGroup endpoints;
  private final AdaptiveLimiter limiter;
  private final RatePacer pacer;
  private final Backoff backoff;
  private final InstantSource clock;
  private final Sleeper sleeper;
  private final RandomGenerator random;
  private final Sink sink;
  private final PipelineMetrics metrics;
  private final AtomicInteger learnedMaxBatch;

  RemoteSender(
      EmbeddingConfig config,
      EndpointGroup endpoints,
      AdaptiveLimiter limiter,
      RatePacer pacer,
      Backoff backoff,
      InstantSource clock,
      Sleeper sleeper,
      RandomGenerator random,
      Sink sink,
      PipelineMetrics metrics,
      AtomicInteger learnedMaxBatch) {
    this.config = config;
    this.endpoints = endpoints;
    this.limiter = limiter;
    this.pacer = pacer;
    this.backoff = backoff;
    this.clock = clock;
    this.sleeper = sleeper;
    this.random = random;
    this.sink = sink;
    this.metrics = metrics;
    this.learnedMaxBatch = learnedMaxBatch;
  }

  @Override
  public void send(List<PendingText> batch, AdaptiveLimiter.Permit permit) {
    try {
      process(batch, permit, clock.instant().plus(config.deadline()));
    } catch (RuntimeException e) {
      // A defect: still never leave a caller waiting, and stay in the taxonomy.
      sink.fail(batch, BatchSender.unexpected("sending a batch", e));
    }
  }

  private void process(
      List<PendingText> items, AdaptiveLimiter.Permit firstPermit, Instant deadline) {
    List<String> texts = items.stream().map(p -> p.text).toList();
    int tokens = items.stream().mapToInt(p -> p.tokens).sum();
    AdaptiveLimiter.Permit permit = firstPermit;
    int preferred = 0;
    int failures = 0;
    int countedAttempts = 0;
    EmbeddingException last = null;
    while (true) {
      Optional<EndpointGroup.Member> member = Optional.empty();
      RatePacer.Reservation pace = null;
      boolean breakerResolved = false;
      boolean sent = false; // whether a request left for this attempt, and when
      long sentAt = 0;
      try {
        if (permit == null) {
          permit = limiter.acquire();
        }
        pace = pacer.reserve(tokens);
        if (pace.delay().isPositive()) {
          if (clock.instant().plus(pace.delay()).isAfter(deadline)) {
            pacer.cancel(pace);
            sink.fail(items, pacingDeadline(pace.delay(), last));
            return; // the finally releases the permit
          }
          metrics.pacing(pace.delay());
          if (pace.held()) {
            // The provider ordered the wait and nothing can be sent before it ends: give the
            // concurrency slot back meanwhile (the dispatcher forms no batch during a hold).
            permit.ignore();
            permit = null;
          }
          sleeper.sleep(pace.delay());
          if (permit == null) {
            permit = limiter.acquire();
          }
        }
        Duration late = pacer.admit(pace); // senders that woke together leave one by one
        if (late.isPositive()) {
          sleeper.sleep(late);
        }
        member = endpoints.acquire(preferred);
        if (member.isEmpty()) {
          throw new ProviderUnavailableException(
              "every embedding endpoint's circuit breaker is open (" + endpoints.labels() + ")",
              0,
              null,
              Optional.empty(),
              false,
              null);
        }
        EndpointGroup.Member m = member.get();
        if (m.index() != 0) {
          metrics.failover(m.label());
        }
        metrics.batch(items.size(), tokens);
        sent = true;
        sentAt = System.nanoTime();
        ProviderResponse response = m.client().embed(texts);
        m.breaker().onSuccess(response.latency().toNanos(), TimeUnit.NANOSECONDS);
        breakerResolved = true;
        permit.success(response.latency());
        permit = null;
        metrics.request(m.label(), "success", response.latency());
        response.promptTokens().ifPresent(actual -> pacer.correctTokens(tokens, actual));
        sink.deliver(items, response.vectors(), m.label(), response.promptTokens().orElse(tokens));
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        sink.fail(items, new EmbeddingCancelledException("embedding interrupted", e));
        return;
      } catch (EmbeddingCancelledException e) {
        sink.fail(items, e);
        return;
      } catch (RateLimitedException e) {
        member.ifPresent(m -> m.breaker().releasePermission());
        resolve(permit, true);
        permit = null;
        metrics.request(label(member), "rate_limited", since(sent, sentAt));
        if (pace != null) {
          pacer.rateLimited(pace); // learn the burst the provider tolerates
        }
        e.retryAfter().ifPresent(pacer::pause);
        last = e;
      } catch (ProviderUnavailableException e) {
        boolean overload = e.timeout() || e.status().orElse(0) == 503;
        resolve(permit, overload);
        permit = null;
        if (member.isPresent()) {
          EndpointGroup.Member m = member.get();
          m.breaker().onError(0, TimeUnit.NANOSECONDS, e);
          metrics.request(m.label(), e.timeout() ? "timeout" : "unavailable", since(sent, sentAt));
          preferred = (m.index() + 1) % endpoints.size();
        } else {
          metrics.request("none", "circuit_open", Duration.ZERO);
        }
        last = e;
        countedAttempts++;
      } catch (BatchTooLargeException e) {
        member.ifPresent(m -> m.breaker().releasePermission());
        resolve(permit, false);
        permit = null;
        metrics.request(label(member), "too_large", since(sent, sentAt));
        if (items.size() == 1) {
          sink.fail(items, e);
          return;
        }
        int half = items.size() / 2;
        learnedMaxBatch.accumulateAndGet(Math.max(1, half), Math::min);
        metrics.split();
        process(new ArrayList<>(items.subList(0, half)), null, deadline);
        process(new ArrayList<>(items.subList(half, items.size())), null, deadline);
        return;
      } catch (ProviderRejectedException e) {
        member.ifPresent(m -> m.breaker().releasePermission());
        resolve(permit, false);
        permit = null;
        metrics.request(label(member), "rejected", since(sent, sentAt));
        Map<Long, List<PendingText>> byOwner = byOwner(items);
        if (e.inputSpecific() && byOwner.size() > 1) {
          for (List<PendingText> group : byOwner.values()) {
            process(group, null, deadline);
          }
        } else {
          sink.fail(items, e);
        }
        return;
      } catch (MalformedResponseException e) {
        if (!breakerResolved) {
          member.ifPresent(m -> m.breaker().releasePermission());
        }
        resolve(permit, false);
        permit = null;
        metrics.request(label(member), "malformed", since(sent, sentAt));
        sink.fail(items, e);
        return;
      } finally {
        if (permit != null) { // only when an attempt ended without resolving it
          permit.ignore();
          permit = null;
        }
      }
      failures++;
      if (countedAttempts >= config.maxAttempts()) {
        sink.fail(
            items,
            new DeadlineExceededException(
                "gave up after " + countedAttempts + " failed attempts: " + last.getMessage(),
                last));
        return;
      }
      Duration wait;
      synchronized (random) { // RandomGenerator implementations are rarely thread-safe
        wait = backoff.delay(failures, retryAfter(last).map(RatePacer::capHold), random);
      }
      if (clock.instant().plus(wait).isAfter(deadline)) {
        sink.fail(
            items,
            new DeadlineExceededException(
                "deadline of "
                    + config.deadline()
                    + " for this batch would pass before the next attempt: "
                    + last.getMessage(),
                last));
        return;
      }
      metrics.retry(last instanceof RateLimitedException ? "rate_limited" : "unavailable");
      try {
        sleeper.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        sink.fail(items, new EmbeddingCancelledException("embedding interrupted", e));
        return;
      }
    }
  }

  private DeadlineExceededException pacingDeadline(Duration wait, EmbeddingException last) {
    String message =
        "deadline of "
            + config.deadline()
            + " for this batch would pass while waiting "
            + wait
            + " for rate limits (pacing, a Retry-After pause or a reported quota reset)";
    return last == null
        ? new DeadlineExceededException(message)
        : new DeadlineExceededException(message + "; last failure: " + last.getMessage(), last);
  }

  private static void resolve(AdaptiveLimiter.Permit permit, boolean dropped) {
    if (permit != null) {
      if (dropped) {
        permit.dropped();
      } else {
        permit.ignore();
      }
    }
  }

  /** Time since the request left ({@code System.nanoTime()} {@code sentAt}), zero if none did. */
  private static Duration since(boolean sent, long sentAt) {
    return sent ? Duration.ofNanos(System.nanoTime() - sentAt) : Duration.ZERO;
  }

  private static String label(Optional<EndpointGroup.Member> member) {
    return member.map(EndpointGroup.Member::label).orElse("none");
  }

  private static Optional<Duration> retryAfter(EmbeddingException e) {
    return switch (e) {
      case RateLimitedException r -> r.retryAfter();
      case ProviderUnavailableException u -> u.retryAfter();
      default -> Optional.empty();
    };
  }

  private static Map<Long, List<PendingText>> byOwner(List<PendingText> items) {
    Map<Long, List<PendingText>> groups = new LinkedHashMap<>();
    for (PendingText p : items) {
      groups.computeIfAbsent(p.owner, o -> new ArrayList<>()).add(p);
    }
    return groups;
  }
}
