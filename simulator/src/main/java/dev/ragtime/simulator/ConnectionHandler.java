package dev.ragtime.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Serves one TCP connection on its own (virtual) thread: reads requests one after another
 * (keep-alive), lets the {@link SimulatedProvider} decide, and carries the outcome out: write the
 * response, reset the socket, or hang.
 *
 * <p>The counters are updated here, around the socket operations, so "fully written" really means
 * the write returned without error.
 */
final class ConnectionHandler implements Runnable {

  private final Socket socket;
  private final SimulatedProvider provider;
  private final SimulatorCounters counters;
  private final SimulatorConfig config;
  private final ObjectMapper json;
  private final Consumer<ConnectionHandler> onExit;

  ConnectionHandler(
      Socket socket,
      SimulatedProvider provider,
      SimulatorCounters counters,
      SimulatorConfig config,
      ObjectMapper json,
      Consumer<ConnectionHandler> onExit) {
    this.socket = socket;
    this.provider = provider;
    this.counters = counters;
    this.config = config;
    this.json = json;
    this.onExit = onExit;
  }

  void closeQuietly() {
    try {
      socket.close();
    } catch (IOException e) {
      // already broken: nothing to release
    }
  }

  @Override
  public void run() {
    try {
      serve();
    } catch (IOException e) {
      // The client went away, the idle timeout struck, or the simulator is closing.
    } finally {
      closeQuietly();
      counters.onConnectionClosed();
      onExit.accept(this);
    }
  }

  private void serve() throws IOException {
    socket.setTcpNoDelay(true);
    socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, config.idleTimeout().toMillis()));
    Http1.Reader reader = new Http1.Reader(socket.getInputStream());
    OutputStream out = socket.getOutputStream();
    while (!Thread.currentThread().isInterrupted()) {
      Optional<Http1.Request> next;
      try {
        next = reader.next(out, config.maxRequestBytes());
      } catch (Http1.ProtocolException e) {
        byte[] body =
            json.writeValueAsBytes(
                json.createObjectNode()
                    .putObject("error")
                    .put("message", e.getMessage())
                    .put("type", "invalid_request_error"));
        Http1.writeResponse(out, e.status, "application/json", List.of(), body, true);
        return;
      } catch (SocketTimeoutException e) {
        return; // idle keep-alive connection
      }
      if (next.isEmpty()) {
        return; // client closed between requests
      }
      if (!exchange(next.get(), reader, out)) {
        return;
      }
    }
  }

  private void count(SimulatedProvider.Reply reply, int sign) {
    counters.onResponse(
        reply.status(), reply.embedded(), reply.tokens(), config.trackTexts(), sign);
  }

  /** Handles one request; false when the connection must not be used again. */
  private boolean exchange(Http1.Request request, Http1.Reader reader, OutputStream out)
      throws IOException {
    boolean counted = provider.counts(request);
    if (counted) {
      counters.onRequestStarted();
    }
    long startNanos = System.nanoTime();
    int status = 0;
    int inputs = 0;
    SimulatedProvider.InFlight inFlight = new SimulatedProvider.InFlight();
    try {
      SimulatedProvider.Outcome outcome = provider.handle(request, inFlight);
      switch (outcome) {
        case SimulatedProvider.Reply reply -> {
          boolean close = !request.keepAlive();
          if (counted) {
            count(reply, +1);
          }
          try {
            Http1.writeResponse(
                out, reply.status(), reply.contentType(), reply.headers(), reply.body(), close);
          } catch (IOException e) {
            if (counted) {
              count(reply, -1);
              counters.onResponseAborted();
            }
            throw e;
          }
          status = reply.status();
          inputs = reply.embedded().size();
          return !close;
        }
        case SimulatedProvider.Reset reset -> {
          socket.setSoLinger(true, 0); // close() now sends RST instead of FIN
          socket.close();
          return false;
        }
        case SimulatedProvider.Hang hang -> {
          socket.setSoTimeout(0);
          reader.drainUntilEof();
          return false;
        }
        case SimulatedProvider.Abort abort -> {
          return false;
        }
      }
    } finally {
      provider.release(inFlight);
      if (counted) {
        counters.onRequestFinished();
        counters.onExchange(startNanos, System.nanoTime(), status, inputs);
      }
    }
  }
}
