package dev.ragtime.embed;

import dev.ragtime.provider.ProviderClient;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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

  /** One endpoint and its breaker. */
  record Member(int index, ProviderClient client, CircuitBreaker breaker, String label) {}

  private final List<Member> members;

  EndpointGroup(List<ProviderClient> clients, InstantSource clock) {
    var config =
        CircuitBreakerConfig.custom()
            .slidingWindow(
                WINDOW, MINIMUM_CALLS, CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .failureRateThreshold(FAILURE_RATE)
            .waitDurationInOpenState(OPEN_FOR)
            .permittedNumberOfCallsInHalfOpenState(2)
            .clock(clock.withZone(ZoneOffset.UTC))
            .build();
    var list = new ArrayList<Member>();
    for (int i = 0; i < clients.size(); i++) {
      ProviderClient c = clients.get(i);
      String label = c.endpoint().label();
      list.add(new Member(i, c, CircuitBreaker.of("embedding " + label, config), label));
    }
    this.members = List.copyOf(list);
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
