package dev.ragtime.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ModelThreadTest {

  @Test
  void aCallRunsOnThePlatformThreadAndItsExceptionsReachTheCaller() throws Exception {
    try (var thread = new ModelThread()) {
      var ran = new CompletableFuture<Thread>();
      Thread.ofVirtual().start(() -> ran.complete(thread.run(Thread::currentThread))).join();
      assertThat(ran.get().isVirtual()).isFalse();
      assertThat(ran.get().isDaemon()).isTrue();

      var failure = new IllegalStateException("the model broke");
      assertThatThrownBy(
              () ->
                  thread.run(
                      () -> {
                        throw failure;
                      }))
          .isSameAs(failure);
    }
  }

  @Test
  void anInterruptedCallerWaitsForTheCallInProgressThenKeepsItsInterrupt() throws Exception {
    var running = new CountDownLatch(1);
    var finish = new CountDownLatch(1);
    var result = new CompletableFuture<String>();
    var interruptedAfter = new AtomicBoolean();
    try (var thread = new ModelThread()) {
      Thread caller =
          Thread.ofVirtual()
              .start(
                  () -> {
                    result.complete(
                        thread.run(
                            () -> {
                              running.countDown();
                              try {
                                finish.await(); // stands for a native call that cannot be stopped
                              } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                return "interrupted";
                              }
                              return "vectors";
                            }));
                    interruptedAfter.set(Thread.currentThread().isInterrupted());
                  });
      assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
      caller.interrupt();
      finish.countDown();
      // The caller returned the call's own result (so it waited for it), not a cancellation.
      assertThat(result.get(30, TimeUnit.SECONDS)).isEqualTo("vectors");
      caller.join();
      assertThat(interruptedAfter).isTrue();
    }
  }

  @Test
  void afterCloseACallIsRefusedAsCancelled() {
    var thread = new ModelThread();
    thread.close();
    assertThatThrownBy(() -> thread.run(() -> "x")).isInstanceOf(CancellationException.class);
  }
}
