package dev.ragtime.simulator;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A minimal HTTP/1.1 server-side codec: enough for JSON POSTs from real clients (keep-alive, {@code
 * Connection: close}, {@code Content-Length} or chunked request bodies, {@code Expect:
 * 100-continue}). Responses always carry {@code Content-Length}. Upgrade requests (h2c) are served
 * as plain HTTP/1.1, which clients accept.
 *
 * <p>We own the socket instead of using {@code com.sun.net.httpserver} because the simulator must
 * count accepted connections and reset a connection with a real TCP RST, neither of which that
 * server exposes.
 *
 * <p>One {@link Reader} per connection; not thread-safe (a connection is served by one thread).
 */
final class Http1 {

  private static final int MAX_HEAD_BYTES = 64 * 1024;
  private static final byte[] CONTINUE_100 =
      "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

  private Http1() {}

  /** A request read off the wire. Header names are lower-case. */
  record Request(
      String method, String target, String version, Map<String, String> headers, byte[] body) {

    String path() {
      int q = target.indexOf('?');
      return q < 0 ? target : target.substring(0, q);
    }

    /** The value of a query parameter, undecoded (admin endpoints only use plain numbers/words). */
    Optional<String> queryParameter(String name) {
      int q = target.indexOf('?');
      if (q < 0) {
        return Optional.empty();
      }
      for (String pair : target.substring(q + 1).split("&")) {
        int eq = pair.indexOf('=');
        String key = eq < 0 ? pair : pair.substring(0, eq);
        if (key.equals(name)) {
          return Optional.of(eq < 0 ? "" : pair.substring(eq + 1));
        }
      }
      return Optional.empty();
    }

    Optional<String> header(String lowerCaseName) {
      return Optional.ofNullable(headers.get(lowerCaseName));
    }

    /** Whether the client wants the connection kept open after this exchange. */
    boolean keepAlive() {
      String connection = headers.getOrDefault("connection", "").toLowerCase(Locale.ROOT);
      if (version.equals("HTTP/1.0")) {
        return hasToken(connection, "keep-alive");
      }
      return !hasToken(connection, "close");
    }

    private static boolean hasToken(String list, String token) {
      for (String part : list.split(",")) {
        if (part.trim().equals(token)) {
          return true;
        }
      }
      return false;
    }
  }

  /** A request the codec cannot serve; answered with {@code status} and the connection closed. */
  static final class ProtocolException extends Exception {
    final int status;

    ProtocolException(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  /** Reads requests from one connection, buffering its input. */
  static final class Reader {
    private final InputStream in;
    private final byte[] buffer = new byte[16 * 1024];
    private int position;
    private int limit;

    Reader(InputStream in) {
      this.in = in;
    }

    /**
     * Reads the next request; empty when the client closed the connection cleanly between requests.
     *
     * @param out where to send {@code 100 Continue} when the client expects it
     * @throws ProtocolException the request is malformed or too large
     * @throws IOException the connection failed or closed mid-request
     */
    Optional<Request> next(OutputStream out, int maxBodyBytes)
        throws IOException, ProtocolException {
      String requestLine;
      do {
        Optional<String> line = readLine(true);
        if (line.isEmpty()) {
          return Optional.empty();
        }
        requestLine = line.get();
      } while (requestLine.isEmpty()); // tolerate stray CRLFs between requests (RFC 9112 §2.2)
      String[] parts = requestLine.split(" ");
      if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) {
        throw new ProtocolException(400, "malformed request line: " + abbreviate(requestLine));
      }
      Map<String, String> headers = new HashMap<>();
      int headBytes = requestLine.length();
      while (true) {
        String line = readLine(false).orElseThrow(() -> new EOFException("EOF in request head"));
        if (line.isEmpty()) {
          break;
        }
        headBytes += line.length() + 2;
        if (headBytes > MAX_HEAD_BYTES) {
          throw new ProtocolException(431, "request head larger than " + MAX_HEAD_BYTES + " bytes");
        }
        int colon = line.indexOf(':');
        if (colon <= 0) {
          throw new ProtocolException(400, "malformed header line: " + abbreviate(line));
        }
        String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = line.substring(colon + 1).trim();
        headers.merge(name, value, (a, b) -> a + ", " + b);
      }
      String version = parts[2];
      byte[] body;
      String transferEncoding =
          headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT);
      String contentLength = headers.get("content-length");
      boolean chunked = transferEncoding.contains("chunked");
      if (!chunked && contentLength == null) {
        body = new byte[0];
      } else {
        if (!chunked) {
          long length;
          try {
            length = Long.parseLong(contentLength.trim());
          } catch (NumberFormatException e) {
            throw new ProtocolException(400, "bad Content-Length: " + abbreviate(contentLength));
          }
          if (length < 0) {
            throw new ProtocolException(400, "bad Content-Length: " + length);
          }
          if (length > maxBodyBytes) {
            throw new ProtocolException(
                413, "request body of " + length + " bytes exceeds " + maxBodyBytes);
          }
          sendContinueIfExpected(headers, version, out);
          body = readExactly((int) length);
        } else {
          sendContinueIfExpected(headers, version, out);
          body = readChunked(maxBodyBytes);
        }
      }
      return Optional.of(new Request(parts[0], parts[1], version, headers, body));
    }

    /** True when bytes of a further request are already buffered (pipelining). */
    boolean hasBufferedInput() {
      return position < limit;
    }

    /** Reads and discards input until EOF: what a hung server does while the client waits. */
    void drainUntilEof() throws IOException {
      position = limit;
      while (in.read(buffer) >= 0) {
        // discard
      }
    }

    private static void sendContinueIfExpected(
        Map<String, String> headers, String version, OutputStream out) throws IOException {
      if (version.equals("HTTP/1.1")
          && "100-continue".equalsIgnoreCase(headers.getOrDefault("expect", ""))) {
        out.write(CONTINUE_100);
        out.flush();
      }
    }

    private byte[] readChunked(int maxBodyBytes) throws IOException, ProtocolException {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      while (true) {
        String sizeLine = readLine(false).orElseThrow(() -> new EOFException("EOF in chunk size"));
        int semicolon = sizeLine.indexOf(';');
        String hex = (semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim();
        int size;
        try {
          size = Integer.parseInt(hex, 16);
        } catch (NumberFormatException e) {
          throw new ProtocolException(400, "bad chunk size: " + abbreviate(sizeLine));
        }
        if (size < 0 || (long) body.size() + size > maxBodyBytes) {
          throw new ProtocolException(
              413, "chunked request body exceeds " + maxBodyBytes + " bytes");
        }
        if (size == 0) {
          // trailers, then the empty line
          while (!readLine(false)
              .orElseThrow(() -> new EOFException("EOF in trailers"))
              .isEmpty()) {
            // ignore trailers
          }
          return body.toByteArray();
        }
        body.write(readExactly(size));
        String end = readLine(false).orElseThrow(() -> new EOFException("EOF after chunk"));
        if (!end.isEmpty()) {
          throw new ProtocolException(400, "chunk not followed by CRLF");
        }
      }
    }

    private byte[] readExactly(int n) throws IOException {
      byte[] out = new byte[n];
      int copied = Math.min(n, limit - position);
      System.arraycopy(buffer, position, out, 0, copied);
      position += copied;
      while (copied < n) {
        int read = in.read(out, copied, n - copied);
        if (read < 0) {
          throw new EOFException("EOF in request body after " + copied + " of " + n + " bytes");
        }
        copied += read;
      }
      return out;
    }

    /**
     * One line without its CRLF (a bare LF is accepted), decoded as ISO-8859-1. Empty Optional on
     * EOF before the first byte when {@code eofAllowed}; EOF mid-line is an error.
     */
    private Optional<String> readLine(boolean eofAllowed) throws IOException, ProtocolException {
      StringBuilder line = null;
      int total = 0;
      while (true) {
        if (position == limit) {
          int read = in.read(buffer, 0, buffer.length);
          if (read < 0) {
            if (total == 0 && eofAllowed) {
              return Optional.empty();
            }
            throw new EOFException("EOF in request line or header");
          }
          position = 0;
          limit = read;
        }
        int start = position;
        while (position < limit && buffer[position] != '\n') {
          position++;
        }
        int end = position;
        boolean complete = position < limit;
        if (complete) {
          position++; // consume LF
        }
        total += end - start;
        if (total > MAX_HEAD_BYTES) {
          throw new ProtocolException(431, "request line or header longer than " + MAX_HEAD_BYTES);
        }
        if (line == null && complete) {
          if (end > start && buffer[end - 1] == '\r') {
            end--;
          }
          return Optional.of(new String(buffer, start, end - start, StandardCharsets.ISO_8859_1));
        }
        if (line == null) {
          line = new StringBuilder();
        }
        line.append(new String(buffer, start, end - start, StandardCharsets.ISO_8859_1));
        if (complete) {
          int length = line.length();
          if (length > 0 && line.charAt(length - 1) == '\r') {
            line.setLength(length - 1);
          }
          return Optional.of(line.toString());
        }
      }
    }

    private static String abbreviate(String s) {
      return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
  }

  /**
   * Writes one complete response in a single write and flushes.
   *
   * @param headers extra headers as name, value, name, value, ...
   */
  static void writeResponse(
      OutputStream out,
      int status,
      String contentType,
      List<String> headers,
      byte[] body,
      boolean close)
      throws IOException {
    StringBuilder head = new StringBuilder(256 + headers.size() * 24);
    head.append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
    head.append("Content-Type: ").append(contentType).append("\r\n");
    head.append("Content-Length: ").append(body.length).append("\r\n");
    for (int i = 0; i + 1 < headers.size(); i += 2) {
      head.append(headers.get(i)).append(": ").append(headers.get(i + 1)).append("\r\n");
    }
    if (close) {
      head.append("Connection: close\r\n");
    }
    head.append("\r\n");
    byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
    byte[] message = new byte[headBytes.length + body.length];
    System.arraycopy(headBytes, 0, message, 0, headBytes.length);
    System.arraycopy(body, 0, message, headBytes.length, body.length);
    out.write(message);
    out.flush();
  }

  static String reason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 400 -> "Bad Request";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 413 -> "Payload Too Large";
      case 422 -> "Unprocessable Entity";
      case 429 -> "Too Many Requests";
      case 431 -> "Request Header Fields Too Large";
      case 500 -> "Internal Server Error";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      default -> "Status " + status;
    };
  }
}
