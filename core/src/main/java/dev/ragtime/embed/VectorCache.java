package dev.ragtime.embed;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The content-addressed vector cache: a bounded in-memory tier (Caffeine, weighed in bytes, with
 * maintenance run on the calling thread so no pool is involved) in front of an optional {@link
 * DiskVectorStore}. Keys come from {@link TextKey}. Stored arrays are never handed out: callers
 * copy.
 *
 * <p>Thread-safe. Close it to make the disk tier durable and release it.
 */
final class VectorCache implements AutoCloseable {
  /**
   * Outcome of a lookup: what each tier held. A key is in at most one of the maps (memory wins).
   * The caller still decides whether a vector is usable (its dimension), and so what counts as a
   * hit.
   */
  record Lookup(Map<String, float[]> memory, Map<String, float[]> disk) {}

  private final Cache<String, float[]> memory;
  private final Optional<DiskVectorStore> disk;

  VectorCache(long memoryBytes, Optional<DiskVectorStore> disk) {
    this.memory =
        memoryBytes > 0
            ? Caffeine.newBuilder()
                .maximumWeight(memoryBytes)
                .weigher((String k, float[] v) -> 96 + k.length() * 2 + v.length * 4)
                .executor(Runnable::run)
                .build()
            : null;
    this.disk = disk;
  }

  /** Looks the keys up in memory, then the misses on disk (promoting disk hits to memory). */
  Lookup getAll(Collection<String> keys) {
    Map<String, float[]> fromMemory = new HashMap<>();
    var misses = new java.util.ArrayList<String>();
    for (String key : keys) {
      float[] v = memory == null ? null : memory.getIfPresent(key);
      if (v != null) {
        fromMemory.put(key, v);
      } else {
        misses.add(key);
      }
    }
    Map<String, float[]> fromDisk = Map.of();
    if (disk.isPresent() && !misses.isEmpty()) {
      fromDisk = disk.get().getAll(misses);
      if (memory != null) {
        memory.putAll(fromDisk);
      }
    }
    return new Lookup(fromMemory, fromDisk);
  }

  Optional<float[]> getIfPresentInMemory(String key) {
    return memory == null ? Optional.empty() : Optional.ofNullable(memory.getIfPresent(key));
  }

  void put(String key, float[] vector) {
    if (memory != null) {
      memory.put(key, vector);
    }
    disk.ifPresent(d -> d.put(key, vector));
  }

  /** Makes the disk tier durable now. */
  void flush() {
    disk.ifPresent(DiskVectorStore::commit);
  }

  long memoryEntries() {
    return memory == null ? 0 : memory.estimatedSize();
  }

  boolean persistent() {
    return disk.isPresent();
  }

  @Override
  public void close() {
    disk.ifPresent(DiskVectorStore::close);
  }
}
