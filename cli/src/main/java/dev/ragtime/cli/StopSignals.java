package dev.ragtime.cli;

import java.lang.reflect.Proxy;

/**
 * Turns SIGTERM and SIGINT into a plain callback, before the JVM starts shutting down. A shutdown
 * hook would run beside every other hook, among them ONNX Runtime's, which frees the native model
 * while a drain still embeds with it; handling the signals ourselves lets the drain finish first,
 * and the JVM then exits normally. Uses {@code sun.misc.Signal} (module {@code jdk.unsupported})
 * reflectively, so the build's no-warnings rule holds; where it is missing, {@link #install}
 * returns false and the caller keeps its shutdown hook.
 */
final class StopSignals {
  private StopSignals() {}

  /**
   * Calls {@code onStop} on SIGTERM or SIGINT until the returned handle is closed (which puts the
   * previous handlers back); empty if the signals cannot be handled.
   */
  static java.util.Optional<AutoCloseable> install(Runnable onStop) {
    try {
      Class<?> signal = Class.forName("sun.misc.Signal");
      Class<?> handler = Class.forName("sun.misc.SignalHandler");
      Object proxy =
          Proxy.newProxyInstance(
              handler.getClassLoader(),
              new Class<?>[] {handler},
              (p, method, args) -> {
                if (method.getName().equals("handle")) {
                  onStop.run();
                  return null;
                }
                return switch (method.getName()) {
                  case "hashCode" -> System.identityHashCode(p);
                  case "equals" -> p == args[0];
                  default -> "StopSignals";
                };
              });
      var handle = signal.getMethod("handle", signal, handler);
      var ctor = signal.getConstructor(String.class);
      var previous = new java.util.LinkedHashMap<Object, Object>();
      for (String name : new String[] {"TERM", "INT"}) {
        Object sig = ctor.newInstance(name);
        previous.put(sig, handle.invoke(null, sig, proxy));
      }
      return java.util.Optional.of(
          () -> {
            for (var e : previous.entrySet()) {
              handle.invoke(null, e.getKey(), e.getValue());
            }
          });
    } catch (ReflectiveOperationException | RuntimeException e) {
      return java.util.Optional.empty();
    }
  }
}
