package org.studioworker.devstudio;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.QuietException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP request and its answer, as a route sees them: path parameters, bearer, a bounded body,
 * and one-call replies.
 *
 * <p>Not thread-safe; used by the one thread that handles the request. Reading the body blocks.
 */
final class Exchange {
  private final Request request;
  private final Response response;
  private final Callback callback;
  private final Matcher path;
  private final long maxBodyBytes;
  private boolean answered;
  private boolean bodyRead;

  Exchange(Request request, Response response, Callback callback, Matcher path, long maxBodyBytes) {
    this.request = request;
    this.response = response;
    this.callback = callback;
    this.path = path;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** A path parameter, by its group number in the route's pattern. */
  String param(int group) {
    String value = path.group(group);
    if (value == null) {
      throw new HttpProblem(404, "not found");
    }
    return value;
  }

  /** The credential of the {@code Authorization: Bearer} header, or null. */
  @Nullable String bearer() {
    return Secrets.bearer(request.getHeaders().get(HttpHeader.AUTHORIZATION));
  }

  @Nullable String contentType() {
    return request.getHeaders().get(HttpHeader.CONTENT_TYPE);
  }

  String remoteAddress() {
    return Request.getRemoteAddr(request);
  }

  /**
   * The whole body, blocking until it has arrived.
   *
   * @throws HttpProblem 413 when it is over the cap
   */
  byte[] body() {
    bodyRead = true;
    long declared = request.getLength();
    if (declared > maxBodyBytes) {
      throw tooLarge();
    }
    try (InputStream in = Content.Source.asInputStream(request)) {
      byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 16, maxBodyBytes + 1));
      if (bytes.length > maxBodyBytes) {
        throw tooLarge();
      }
      return bytes;
    } catch (IOException e) {
      throw new HttpProblem(400, "the request body could not be read");
    }
  }

  /**
   * Reads and drops what is left of the body (up to the cap), so that an early error answer does
   * not leave the client waiting on a half-read upload. Blocks; never throws.
   */
  void drain() {
    if (bodyRead) {
      return;
    }
    bodyRead = true;
    try (InputStream in = Content.Source.asInputStream(request)) {
      long left = maxBodyBytes;
      byte[] scratch = new byte[8192];
      int n;
      while (left > 0 && (n = in.read(scratch, 0, (int) Math.min(scratch.length, left))) >= 0) {
        left -= n;
      }
    } catch (IOException | RuntimeException e) {
      // The connection is closed after the answer anyway.
    }
  }

  /** The whole body as UTF-8 text. */
  String bodyText() {
    return new String(body(), StandardCharsets.UTF_8);
  }

  private HttpProblem tooLarge() {
    return new HttpProblem(413, "the request body is over the limit of " + maxBodyBytes + " bytes");
  }

  void json(int status, String json) {
    bytes(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
  }

  void text(int status, String text) {
    bytes(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
  }

  void bytes(int status, String contentType, byte[] bytes) {
    answered = true;
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.write(true, ByteBuffer.wrap(bytes), callback);
  }

  /**
   * Sends the status, the headers (with a {@code Content-Length} of {@code declaredLength}) and the
   * first bytes of a reply, and leaves it unfinished: the client waits for the rest. Never blocks.
   */
  void begin(int status, String contentType, long declaredLength, byte[] first) {
    answered = true;
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, declaredLength);
    response.write(false, ByteBuffer.wrap(first), Callback.NOOP);
  }

  /**
   * Drops the connection without a reply (or without the rest of a {@link #begin begun} one), as a
   * studio that crashed mid-request would. May be called from another thread once the route has
   * returned. Never throws.
   */
  void abortConnection(String why) {
    answered = true;
    IOException cause = new InjectedFault(why);
    try {
      request.getConnectionMetaData().getConnection().getEndPoint().close(cause);
    } catch (RuntimeException e) {
      // Closed already.
    }
    callback.failed(cause);
  }

  /** An injected connection drop; quiet, so Jetty logs it without a stack trace. */
  private static final class InjectedFault extends IOException implements QuietException {
    private static final long serialVersionUID = 1L;

    InjectedFault(String message) {
      super(message);
    }
  }

  boolean isAnswered() {
    return answered;
  }
}
