package dev.ragtime.cli;

import dev.ragtime.ingest.IngestProgress;
import java.io.PrintWriter;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Shows ingest progress on stderr while a run is going: a bar redrawn in place on a terminal, a
 * plain log line every few seconds otherwise (so logs and CI output stay readable).
 */
final class ProgressDisplay implements AutoCloseable {
  private static final long TERMINAL_REFRESH_MS = 250;
  private static final long LOG_EVERY_MS = 10_000;

  private final PrintWriter err;
  private final boolean terminal;
  private final IngestProgress progress;
  private final Supplier<String> extra;
  private final long start = System.nanoTime();
  private final Thread thread;
  private volatile boolean running = true;
  private final ReentrantLock drawLock = new ReentrantLock();
  private int lastWidth; // guarded by drawLock

  ProgressDisplay(
      PrintWriter err, boolean terminal, IngestProgress progress, Supplier<String> extra) {
    this.err = err;
    this.terminal = terminal;
    this.progress = progress;
    this.extra = extra;
    this.thread = Thread.ofPlatform().daemon().name("ragtime-progress").start(this::loop);
  }

  private void loop() {
    long every = terminal ? TERMINAL_REFRESH_MS : LOG_EVERY_MS;
    try {
      while (running) {
        Thread.sleep(every);
        if (running) {
          draw(false);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void draw(boolean last) {
    // A lock, not synchronized, around writing to the terminal (blocking I/O): the house rule,
    // though only platform threads draw today.
    drawLock.lock();
    try {
      drawLocked(last);
    } finally {
      drawLock.unlock();
    }
  }

  private void drawLocked(boolean last) {
    String line =
        ProgressLine.format(
            progress.done(),
            progress.total(),
            progress.chunks(),
            System.nanoTime() - start,
            extra.get());
    if (terminal) {
      int pad = Math.max(0, lastWidth - line.length());
      err.print("\r" + line + " ".repeat(pad));
      lastWidth = line.length();
      if (last) {
        err.println();
      }
    } else if (!last) {
      err.println("ingest: " + line);
    }
    err.flush();
  }

  /** Draws the final state (on a terminal) and stops. */
  void finish() {
    stop();
    if (terminal) {
      draw(true);
    }
  }

  private void stop() {
    running = false;
    thread.interrupt();
    try {
      thread.join(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (running) {
      stop();
      if (terminal && lastWidth > 0) {
        err.println();
        err.flush();
      }
    }
  }
}
