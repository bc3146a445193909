package dev.ragtime.server.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/*
 * Design note. Jetty 12 notices that an HTTP/1.1 client went away only when it next reads or
 * writes the connection, and it does not read while a handler runs (the connection has no read
 * interest then; HTTP/2 and failures Jetty sees itself reach Request.addFailureListener). So once
 * the request body is read, the watch registers read interest on the connection's EndPoint: a
 * readable socket then means end of stream (the client closed or reset: interrupt the handler's
 * thread, whose blocking work — a query or texts waiting in the embedding pipeline — is abandoned)
 * or bytes of a pipelined next request. Those bytes cannot be handed back to Jetty's parser, so the
 * response then closes the connection, and the client, per RFC 9112 §9.3.2, retries or reports the
 * request it sent after this one. Read interest is withdrawn before the handler returns, so Jetty's
 * own parser finds the connection as it left it.
 */

/**
 * Interrupts a request's handler thread when its client disconnects, while the handler waits for
 * slow work. Created on the handler's thread by {@link #start} after the body is read; {@link
 * #close}d by the same thread before the response is written.
 *
 * <p>Thread-safe: the connection's callback and the handler's thread meet under one lock, so no
 * interrupt lands after {@link #close} returns.
 */
final class DisconnectWatch implements AutoCloseable {
  private enum State {
    WATCHING,
    DISCONNECTED,
    PIPELINED,
    CLOSED
  }

  private final Thread handler;
  private final EndPoint endPoint;
  private final ReentrantLock lock = new ReentrantLock();
  private final ByteBuffer probe = BufferUtil.allocate(512);
  private State state = State.WATCHING; // guarded by lock

  private final Callback readable =
      new Callback() {
        @Override
        public void succeeded() {
          onReadable();
        }

        @Override
        public void failed(Throwable cause) {
          if (cause != WITHDRAWN) {
            fire(State.DISCONNECTED);
          }
        }
      };

  /** What {@link #close} fails the read interest with; not a disconnect. */
  private static final Throwable WITHDRAWN =
      new IOException("read interest withdrawn by the handler");

  private DisconnectWatch(Thread handler, EndPoint endPoint) {
    this.handler = handler;
    this.endPoint = endPoint;
  }

  /**
   * Starts watching the connection of {@code ctx} on behalf of the current thread; empty when the
   * request is not served over a Jetty connection that can be watched. Call it only after the
   * request body has been read to its end.
   */
  static Optional<DisconnectWatch> start(Context ctx) {
    EndPoint endPoint;
    try {
      var request = ServletContextRequest.getServletContextRequest(ctx.req());
      var connection = request.getConnectionMetaData().getConnection();
      endPoint = connection == null ? null : connection.getEndPoint();
    } catch (IllegalStateException e) {
      return Optional.empty();
    }
    if (!(endPoint instanceof AbstractEndPoint) || !endPoint.isOpen()) {
      return Optional.empty();
    }
    var watch = new DisconnectWatch(Thread.currentThread(), endPoint);
    return watch.register() ? Optional.of(watch) : Optional.empty();
  }

  /** Whether the client disconnected while the handler ran. */
  boolean disconnected() {
    return is(State.DISCONNECTED);
  }

  /** Whether bytes of a next request arrived meanwhile (the response must close the connection). */
  boolean pipelined() {
    return is(State.PIPELINED);
  }

  private boolean is(State s) {
    lock.lock();
    try {
      return state == s;
    } finally {
      lock.unlock();
    }
  }

  private boolean register() {
    return endPoint.tryFillInterested(readable);
  }

  private void onReadable() {
    lock.lock();
    try {
      if (state != State.WATCHING) {
        return;
      }
      int n;
      try {
        BufferUtil.clear(probe); // Jetty's convention: empty means position = limit = 0
        n = endPoint.fill(probe);
      } catch (IOException e) {
        n = -1; // reset by the peer
      }
      if (n < 0) {
        fire(State.DISCONNECTED);
      } else if (n > 0) {
        state = State.PIPELINED;
      } else if (!register()) {
        state = State.CLOSED; // someone else reads the connection now; stop watching
      }
    } finally {
      lock.unlock();
    }
  }

  private void fire(State outcome) {
    lock.lock();
    try {
      if (state == State.WATCHING) {
        state = outcome;
        handler.interrupt();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops watching and clears an interrupt the watch delivered; call on the handler's thread before
   * the response is written.
   */
  @Override
  public void close() {
    boolean interrupted;
    lock.lock();
    try {
      if (state == State.WATCHING) {
        state = State.CLOSED;
      }
      interrupted = state == State.DISCONNECTED;
      if (endPoint.isFillInterested()) {
        ((AbstractEndPoint) endPoint).getFillInterest().onFail(WITHDRAWN);
      }
    } finally {
      lock.unlock();
    }
    if (interrupted) {
      Thread.interrupted();
    }
  }
}
