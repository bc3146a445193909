package dev.ragtime.embed;

import dev.ragtime.provider.EmbeddingCancelledException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.ToIntFunction;

/**
 * Single-flight: every distinct key in flight has one {@link PendingText}, and every caller that
 * asks for that key meanwhile waits on it. Owns the in-flight map: registering (join or own),
 * completing, failing and abandoning entries. Waiter counting happens inside the map's {@code
 * compute}, which serialises it against cancellation.
 *
 * <p>A caller that gives up (interrupted, or one of its other texts failed) {@link #abandon}s its
 * entries: an entry nobody waits for any more and not yet in a batch is cancelled and skipped by
 * the batcher. Thread-safe.
 */
final class SingleFlight {
  private final ConcurrentHashMap<String, PendingText> inFlight = new ConcurrentHashMap<>();

  /**
   * What {@link #register} did: {@code waits} holds an entry per key (joined or own), {@code mine}
   * the fresh entries this caller must enqueue, {@code joined} how many keys joined another's.
   */
  record Registration(Map<String, PendingText> waits, List<PendingText> mine, int joined) {}

  /**
   * For each key of {@code missing} (key → text as sent), joins the identical text in flight or
   * registers a fresh one owned by {@code owner}.
   */
  Registration register(
      Map<String, String> missing,
      EmbeddingModel.Purpose purpose,
      long owner,
      ToIntFunction<String> tokens) {
    Map<String, PendingText> waits = new LinkedHashMap<>();
    List<PendingText> mine = new ArrayList<>();
    int joined = 0;
    long now = System.nanoTime();
    for (Map.Entry<String, String> e : missing.entrySet()) {
      String key = e.getKey();
      String toSend = e.getValue();
      // Tokens are counted for misses only, between the cache lookup and joining the map.
      var fresh = new PendingText(key, toSend, tokens.applyAsInt(toSend), owner, now, purpose);
      PendingText p =
          inFlight.compute(
              key,
              (k, existing) -> {
                PendingText use = existing == null || existing.cancelled() ? fresh : existing;
                use.addWaiter();
                return use;
              });
      if (p == fresh) {
        mine.add(fresh);
      } else {
        joined++;
      }
      waits.put(key, p);
    }
    return new Registration(waits, mine, joined);
  }

  /**
   * Completes the fresh entries whose key was delivered between the caller's cache miss and its
   * registration ({@code delivered}: key → vector); returns the others, which must be sent.
   */
  List<PendingText> completeDelivered(List<PendingText> mine, Map<String, float[]> delivered) {
    if (delivered.isEmpty()) {
      return mine;
    }
    List<PendingText> toSend = new ArrayList<>(mine.size());
    for (PendingText p : mine) {
      float[] v = delivered.get(p.key);
      if (v != null && p.dispatch()) {
        complete(p, v);
      } else {
        toSend.add(p);
      }
    }
    return toSend;
  }

  /** Completes an entry and takes it out of flight. */
  void complete(PendingText p, float[] vector) {
    p.result.complete(vector);
    inFlight.remove(p.key, p);
  }

  /** Fails an entry (if not yet completed) and takes it out of flight. */
  void fail(PendingText p, RuntimeException cause) {
    p.result.completeExceptionally(cause);
    inFlight.remove(p.key, p);
  }

  /**
   * Waits for every entry of {@code waits} and puts its vector into {@code vectors}. On the first
   * failure, or an interrupt, abandons them all and throws.
   *
   * @throws EmbeddingCancelledException if interrupted (the flag is set again)
   */
  void awaitAll(Map<String, PendingText> waits, Map<String, float[]> vectors) {
    var firstFailure = new CompletableFuture<Void>();
    var futures = new ArrayList<CompletableFuture<float[]>>(waits.size());
    for (PendingText p : waits.values()) {
      futures.add(p.result);
      p.result.whenComplete(
          (v, ex) -> {
            if (ex != null) {
              firstFailure.completeExceptionally(ex);
            }
          });
    }
    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
        .whenComplete((v, ex) -> firstFailure.complete(null));
    try {
      firstFailure.get();
    } catch (InterruptedException e) {
      abandon(waits.values());
      Thread.currentThread().interrupt();
      throw new EmbeddingCancelledException("interrupted while waiting for embeddings", e);
    } catch (ExecutionException e) {
      abandon(waits.values());
      throw unwrap(e.getCause());
    }
    for (Map.Entry<String, PendingText> e : waits.entrySet()) {
      try {
        vectors.put(e.getKey(), e.getValue().result.join());
      } catch (CompletionException | CancellationException ex) {
        abandon(waits.values());
        throw unwrap(ex instanceof CompletionException ? ex.getCause() : ex);
      }
    }
  }

  private static RuntimeException unwrap(Throwable cause) {
    if (cause instanceof RuntimeException re) {
      return re;
    }
    if (cause instanceof Error err) {
      throw err;
    }
    return BatchSender.unexpected("embedding", cause);
  }

  /** The caller stops waiting: texts nobody else waits for and not yet sent are dropped. */
  void abandon(Iterable<PendingText> pending) {
    for (PendingText p : pending) {
      if (p.result.isDone()) {
        continue;
      }
      inFlight.computeIfPresent(
          p.key,
          (k, existing) -> {
            if (existing != p) {
              return existing;
            }
            if (p.removeWaiter() == 0 && p.cancel()) {
              p.result.completeExceptionally(
                  new EmbeddingCancelledException("every caller gave up on this text", null));
              return null;
            }
            return existing;
          });
    }
  }

  /** Distinct texts in flight now. */
  int size() {
    return inFlight.size();
  }
}
