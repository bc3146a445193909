package dev.ragtime.embed;

import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * Runs the in-process model's calls on a platform thread of their own, while the caller (a virtual
 * thread) waits unmounted.
 *
 * <p>Why. A call into ONNX Runtime is native code that keeps a core busy for the whole slice; a
 * virtual thread in native code also pins its carrier, so for up to a whole slice the virtual
 * threads (a query's lane loop and batch task, the ingest's callers) had one carrier fewer, and a
 * query could wait for a carrier rather than for the model. On a platform thread the operating
 * system shares the cores between the call and both carriers. {@link ModelGate} admits one call at
 * a time, so one thread suffices; it is a daemon, started on the first call.
 *
 * <p>An interrupted caller still waits for the call in progress to end (native code cannot be
 * stopped, and the model must not be closed under it), then returns its result with the interrupt
 * flag set. Thread-safe. {@link #close} refuses later calls; a call after it throws {@link
 * CancellationException}.
 */
final class ModelThread implements AutoCloseable {
  private final ExecutorService executor =
      Executors.newSingleThreadExecutor(
          Thread.ofPlatform().name("ragtime-model-", 0).daemon().factory());

  /**
   * Runs {@code call} on the model thread and returns its result; its unchecked exceptions and
   * errors are rethrown here unchanged.
   *
   * @throws CancellationException if this was closed
   */
  <T> T run(Supplier<T> call) {
    Future<T> result;
    try {
      result = executor.submit(call::get);
    } catch (RejectedExecutionException e) {
      throw new CancellationException("the embedding pipeline closed");
    }
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return result.get();
        } catch (InterruptedException e) {
          interrupted = true; // the native call cannot be stopped: wait for it to end
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof RuntimeException r) {
            throw r;
          }
          if (cause instanceof Error err) {
            throw err;
          }
          throw new IllegalStateException("the model call failed: " + cause, cause);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Refuses later calls; the thread ends once a call in progress has returned. */
  @Override
  public void close() {
    executor.shutdown();
  }
}
