package dev.ragtime.embed;

import dev.ragtime.provider.ProviderClient;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The endpoints serving the configured model (primary first, then fallbacks), each behind its own
 * Resilience4j circuit breaker driven by the injected clock. Only failures that say "this endpoint
 * is unwell" (5xx, 408/409, I/O errors, timeouts) count against a breaker; 429s and 4xx do not.
 *
 * <p>Failover: {@link #acquire} returns the first endpoint, starting at the preferred one, whose
 * breaker admits a call. The sender prefers the next endpoint after a failure, so a primary that
 * keeps failing is left even before its breaker opens. All endpoints serve the same model, which is
 * what makes switching safe.
 *
 * <p>Thread-safe.
 */
final class EndpointGroup {
  static final int WINDOW = 20;
  static final int MINIMUM_CALLS = 10;
  static final float FAILURE_RATE = 50f;
  static final Duration OPEN_FOR = Duration.ofSeconds(10);
  static final int HALF_OPEN_CALLS = 2;

  /** Added to the end of an open interval: the breaker half-opens only after it. */
  static final Duration JUST_AFTER = Duration.ofMillis(1);

  /**
   * One endpoint and its breaker; {@code openUntil} is when the breaker last opened plus {@link
   * #OPEN_FOR} (meaningful only while it is open).
   */
  record Member(
      int index,
      ProviderClient client,
      CircuitBreaker breaker,
      String label,
      AtomicReference<Instant> openUntil) {}

  private final List<Member> members;
  private final InstantSource clock;

  EndpointGroup(List<ProviderClient> clients, InstantSource clock) {
    var config =
        CircuitBreakerConfig.custom()
            .slidingWindow(
                WINDOW, MINIMUM_CALLS, CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .failureRateThreshold(FAILURE_RATE)
            .waitDurationInOpenState(OPEN_FOR)
            .permittedNumberOfCallsInHalfOpenState(HALF_OPEN_CALLS)
            .clock(clock.withZone(ZoneOffset.UTC))
            .build();
    var list = new ArrayList<Member>();
    for (int i = 0; i < clients.size(); i++) {
      ProviderClient c = clients.get(i);
      String label = c.endpoint().label();
      var breaker = CircuitBreaker.of("embedding " + label, config);
      var openUntil = new AtomicReference<>(Instant.MIN);
      breaker
          .getEventPublisher()
          .onStateTransition(
              e -> {
                if (e.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
                  openUntil.set(clock.instant().plus(OPEN_FOR));
                }
              });
      list.add(new Member(i, c, breaker, label, openUntil));
    }
    this.members = List.copyOf(list);
    this.clock = clock;
  }

  /**
   * How long until some endpoint's breaker may admit a call again: zero if one is closed, or half
   * open (its trial calls may already be taken: then the caller should look again shortly), else
   * the time until the first open breaker turns half open (just after its interval ends).
   */
  Duration untilHalfOpen() {
    Instant now = clock.instant();
    Duration soonest = null;
    for (Member m : members) {
      CircuitBreaker.State state = m.breaker().getState();
      if (state != CircuitBreaker.State.OPEN && state != CircuitBreaker.State.FORCED_OPEN) {
        return Duration.ZERO;
      }
      if (state == CircuitBreaker.State.OPEN) {
        Instant until = m.openUntil().get();
        // The breaker admits a call once its clock is strictly after the open interval's end.
        Duration left =
            (until.isAfter(now) ? Duration.between(now, until) : Duration.ZERO).plus(JUST_AFTER);
        if (soonest == null || left.compareTo(soonest) < 0) {
          soonest = left;
        }
      }
    }
    return soonest == null ? OPEN_FOR : soonest;
  }

  /** The first endpoint from {@code preferred} on (wrapping) whose breaker admits a call. */
  Optional<Member> acquire(int preferred) {
    for (int i = 0; i < members.size(); i++) {
      Member m = members.get((preferred + i) % members.size());
      if (m.breaker().tryAcquirePermission()) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  List<Member> members() {
    return members;
  }

  int size() {
    return members.size();
  }

  String labels() {
    return String.join(", ", members.stream().map(Member::label).toList());
  }
}
