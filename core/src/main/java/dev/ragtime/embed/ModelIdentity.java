package dev.ragtime.embed;

import dev.ragtime.provider.MalformedResponseException;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the pipeline knows of its model's identity, above all the vector dimension, and how sure it
 * is. A dimension is <em>confirmed</em> when configured, given by the local model or seen in a
 * fresh provider response; it is <em>provisional</em> when it was only read off a cached vector
 * (the dimension probe answered from the cache). The first fresh response settles a provisional
 * dimension: if it differs, the model behind the name changed since the cache was written, so the
 * fresh dimension wins and cached vectors of the old one stop being used. A fresh response that
 * contradicts a confirmed dimension is malformed (an endpoint serves another model).
 *
 * <p>Thread-safe: reads are lock-free, changes take a short non-blocking lock.
 */
final class ModelIdentity {
  private static final Logger LOG = LoggerFactory.getLogger(ModelIdentity.class);

  private final String modelId;
  private final int maxTokens;
  private final ReentrantLock lock = new ReentrantLock();
  private volatile int dimension; // 0: unknown
  private volatile boolean provisional;
  private volatile ModelInfo info; // null until the dimension is known

  ModelIdentity(String modelId, int maxTokens, OptionalInt dimension) {
    this.modelId = modelId;
    this.maxTokens = maxTokens;
    if (dimension.isPresent()) {
      this.dimension = dimension.getAsInt();
      this.info = new ModelInfo(modelId, dimension.getAsInt(), maxTokens);
    }
  }

  /** The identity of a model that states it in full (the local model), variant included. */
  ModelIdentity(ModelInfo known) {
    this(known.id(), known.maxTokens(), OptionalInt.of(known.dimension()));
    this.info = known;
  }

  String modelId() {
    return modelId;
  }

  /** The identity, once the dimension is known (provisionally or not). */
  Optional<ModelInfo> info() {
    return Optional.ofNullable(info);
  }

  /** A cached vector is usable unless the model's dimension is known and differs. */
  boolean usable(float[] cached) {
    int known = dimension;
    return known == 0 || cached.length == known;
  }

  /** Learns a provisional dimension from a cached vector, unless one is known already. */
  ModelInfo learnFromCache(int dim) {
    lock.lock();
    try {
      if (info == null) {
        dimension = dim;
        provisional = true;
        info = new ModelInfo(modelId, dim, maxTokens);
      }
      return info;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Checks the dimension of a fresh response from {@code endpoint}, learning it if unknown.
   *
   * @throws MalformedResponseException if it contradicts a confirmed dimension
   */
  void checkFresh(int dim, String endpoint) {
    if (dim == dimension && !provisional) {
      return; // the common case, lock-free
    }
    lock.lock();
    try {
      if (dimension == 0 || (provisional && dim != dimension)) {
        if (provisional) {
          LOG.warn(
              "{} now returns {}-dimensional vectors, but the cached dimension probe of {} had {};"
                  + " the model behind the name changed since the cache was written: using {}"
                  + " (an index built with the old vectors refuses the new ones; re-index it)",
              endpoint,
              dim,
              modelId,
              dimension,
              dim);
        }
        dimension = dim;
        provisional = false;
        info = new ModelInfo(modelId, dim, maxTokens);
      } else if (dim == dimension) {
        provisional = false;
      } else {
        throw new MalformedResponseException(
            endpoint
                + " returned "
                + dim
                + "-dimensional vectors but model "
                + modelId
                + " has "
                + dimension
                + " dimensions; every endpoint must serve the same model",
            endpoint,
            null);
      }
    } finally {
      lock.unlock();
    }
  }
}
