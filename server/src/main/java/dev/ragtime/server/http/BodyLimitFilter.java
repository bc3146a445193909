package dev.ragtime.server.http;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * Holds a servlet that reads request bodies itself (the MCP transport at {@code /mcp}) to the same
 * body limit as the REST routes: a body declared or found larger than the limit is answered 413
 * with a problem body before the servlet sees it. A body within the limit is read here and handed
 * on from memory, so a chunked body is measured too.
 *
 * <p>Thread-safe.
 */
public final class BodyLimitFilter implements Filter {
  private final long maxBodyBytes;

  /**
   * @param maxBodyBytes the largest body accepted, in bytes (the REST routes' limit)
   */
  public BodyLimitFilter(long maxBodyBytes) {
    if (maxBodyBytes < 1) {
      throw new IllegalArgumentException("maxBodyBytes must be at least 1, was " + maxBodyBytes);
    }
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    var request = (HttpServletRequest) req;
    var response = (HttpServletResponse) res;
    long declared = request.getContentLengthLong();
    if (declared > maxBodyBytes) {
      refuse(request, response, declared);
      return;
    }
    if (declared == 0 || (declared < 0 && request.getHeader("Transfer-Encoding") == null)) {
      chain.doFilter(req, res); // no body to measure
      return;
    }
    byte[] body;
    try (InputStream in = request.getInputStream()) {
      body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
    }
    if (body.length > maxBodyBytes) {
      response.setHeader("Connection", "close"); // the rest of the body stays unread
      refuse(request, response, body.length);
      return;
    }
    chain.doFilter(new Buffered(request, body), res);
  }

  private void refuse(HttpServletRequest request, HttpServletResponse response, long size)
      throws IOException {
    String detail =
        "the request body is "
            + (request.getContentLengthLong() > maxBodyBytes ? size : "more than " + maxBodyBytes)
            + " bytes, over the limit of "
            + maxBodyBytes
            + " bytes (server.max-body-bytes); send a smaller message";
    response.setStatus(413);
    response.setContentType(Api.PROBLEM_JSON);
    response
        .getOutputStream()
        .write(
            Json.write(Api.problemBody(413, "Content Too Large", detail, request.getRequestURI())));
  }

  /** The request with its body read into memory. */
  private static final class Buffered extends HttpServletRequestWrapper {
    private final byte[] body;

    Buffered(HttpServletRequest request, byte[] body) {
      super(request);
      this.body = body;
    }

    @Override
    public int getContentLength() {
      return body.length;
    }

    @Override
    public long getContentLengthLong() {
      return body.length;
    }

    @Override
    public ServletInputStream getInputStream() {
      var in = new ByteArrayInputStream(body);
      return new ServletInputStream() {
        @Override
        public int read() {
          return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
          return in.read(b, off, len);
        }

        @Override
        public boolean isFinished() {
          return in.available() == 0;
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
          try {
            listener.onDataAvailable();
            listener.onAllDataRead();
          } catch (IOException e) {
            listener.onError(e);
          }
        }
      };
    }

    @Override
    public BufferedReader getReader() {
      String encoding = getCharacterEncoding();
      Charset charset =
          encoding != null && Charset.isSupported(encoding)
              ? Charset.forName(encoding)
              : StandardCharsets.UTF_8;
      return new BufferedReader(new InputStreamReader(getInputStream(), charset));
    }
  }
}
