package dev.ragtime.cli;

import java.io.UncheckedIOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Turns an exception into the one line the user sees. */
final class Failures {
  private Failures() {}

  static String oneLine(Throwable e) {
    Throwable t = e;
    while ((t instanceof CompletionException
            || t instanceof ExecutionException
            || t instanceof UncheckedIOException)
        && t.getCause() != null
        && t.getMessage() == null) {
      t = t.getCause();
    }
    String m = t.getMessage();
    if (m == null || m.isBlank()) {
      m = t.getClass().getSimpleName();
    }
    if (t instanceof UncheckedIOException u && u.getCause() != null) {
      m = m + ": " + u.getCause().getMessage();
    }
    return m.lines().findFirst().orElse(m);
  }
}
