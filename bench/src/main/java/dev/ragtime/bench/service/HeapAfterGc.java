package dev.ragtime.bench.service;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The heap in use right after each garbage collection of this JVM (summed over the heap pools, from
 * the collectors' notifications), so growth of what survives can be read without forcing a GC.
 * Close it to stop listening. Thread-safe.
 */
final class HeapAfterGc implements AutoCloseable {
  /** One collection: when it ended ({@link System#nanoTime()}) and the heap used after it. */
  record Point(long nanos, double usedMiB) {}

  private final List<Point> points = new CopyOnWriteArrayList<>();
  private final List<NotificationEmitter> emitters = new ArrayList<>();
  private final NotificationListener listener = this::onNotification;

  HeapAfterGc() {
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof NotificationEmitter e) {
        e.addNotificationListener(listener, null, null);
        emitters.add(e);
      }
    }
  }

  private void onNotification(Notification n, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
      return;
    }
    var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
    long used = 0;
    for (var e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
      if (isHeap(e.getKey())) {
        MemoryUsage u = e.getValue();
        used += u.getUsed();
      }
    }
    points.add(new Point(System.nanoTime(), used / (1024.0 * 1024)));
  }

  private static boolean isHeap(String pool) {
    return ManagementFactory.getMemoryPoolMXBeans().stream()
        .anyMatch(
            p -> p.getName().equals(pool) && p.getType() == java.lang.management.MemoryType.HEAP);
  }

  /** Every collection so far. */
  List<Point> points() {
    return List.copyOf(points);
  }

  /** The largest heap-after-GC of the collections that ended in [from, to), NaN if none. */
  double maxMiB(long fromNanos, long toNanos) {
    return points.stream()
        .filter(p -> p.nanos() >= fromNanos && p.nanos() < toNanos)
        .mapToDouble(Point::usedMiB)
        .max()
        .orElse(Double.NaN);
  }

  @Override
  public void close() {
    for (NotificationEmitter e : emitters) {
      try {
        e.removeNotificationListener(listener);
      } catch (ListenerNotFoundException ignored) {
        // already gone
      }
    }
  }
}
