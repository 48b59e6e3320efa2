package org.studioworker.runtime.update;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.concurrent.Flow;
import javax.net.ssl.SSLHandshakeException;
import org.studioworker.runtime.Version;
import org.studioworker.runtime.http.BodyLimit;
import org.studioworker.runtime.http.StudioHttp;

/**
 * The update path's HTTP exchanges, each with a deadline and a bounded body.
 *
 * <p>A small exchange (the feed, a sidecar, a signature) must end, last byte of the body included,
 * within {@link Deadlines#exchange()}, with a body of at most a given size; past either the
 * exchange is cancelled, which closes its connection. A body that comes with any status but 200 is
 * never read: an error page of 1 GB costs one cancelled connection. For the build itself only the
 * wait for the headers is bounded here; its body is read through {@link
 * org.studioworker.spi.net.BodyStream}.
 *
 * <p>Why not {@code HttpRequest.timeout} alone? It covers only the wait for the headers: a server
 * that sends them and a few bytes and then goes quiet would block the updater for good.
 *
 * <p>Thread-safe (no state of its own); every call blocks the caller, and an interrupt cancels the
 * exchange.
 */
final class UpdateHttp {
  /** A small exchange's answer: the status and, for 200 only, the body. */
  record Reply(int status, byte[] body) {}

  private final HttpClient http;
  private final Deadlines deadlines;

  UpdateHttp(HttpClient http, Deadlines deadlines) {
    this.http = http;
    this.deadlines = deadlines;
  }

  Deadlines deadlines() {
    return deadlines;
  }

  /**
   * GETs a small body: at most {@code maxBytes}, the whole exchange within the exchange deadline.
   *
   * @param what what is fetched, for messages ({@code the update feed})
   * @throws UpdateException when it cannot be fetched in time, or the body is too large
   */
  Reply small(URI url, String what, String accept, int maxBytes)
      throws UpdateException, InterruptedException {
    HttpResponse<byte[]> response =
        await(
            request(url, accept),
            info -> info.statusCode() == 200 ? BodyLimit.bytes(maxBytes) : BodyLimit.unread(),
            what,
            url);
    return new Reply(response.statusCode(), response.body());
  }

  /**
   * GETs a large body: waits at most the exchange deadline for the headers. The caller reads the
   * body (through {@code BodyStream}) or {@link #discard discards} it.
   */
  HttpResponse<Flow.Publisher<List<ByteBuffer>>> stream(URI url, String what)
      throws UpdateException, InterruptedException {
    return await(request(url, "*/*"), HttpResponse.BodyHandlers.ofPublisher(), what, url);
  }

  /** Cancels a streamed body without reading a byte of it, which closes its connection. */
  static void discard(HttpResponse<Flow.Publisher<List<ByteBuffer>>> response) {
    response
        .body()
        .subscribe(
            new Flow.Subscriber<>() {
              @Override
              public void onSubscribe(Flow.Subscription subscription) {
                subscription.cancel();
              }

              @Override
              public void onNext(List<ByteBuffer> item) {}

              @Override
              public void onError(Throwable throwable) {}

              @Override
              public void onComplete() {}
            });
  }

  /** A URL for a message: scheme, host, port and path; no user info, query or fragment. */
  static String shown(URI url) {
    String host = url.getHost() == null ? "" : url.getHost();
    String port = url.getPort() < 0 ? "" : ":" + url.getPort();
    String path = url.getRawPath() == null ? "" : url.getRawPath();
    return url.getScheme() + "://" + host + port + path;
  }

  /**
   * No {@code HttpRequest.timeout}: the deadline in {@link #await} covers the headers too, and one
   * deadline gives one message.
   */
  private static HttpRequest request(URI url, String accept) {
    return HttpRequest.newBuilder(url)
        .header("Accept", accept)
        .header("User-Agent", Version.userAgent())
        .GET()
        .build();
  }

  private <T> HttpResponse<T> await(
      HttpRequest request, HttpResponse.BodyHandler<T> handler, String what, URI url)
      throws UpdateException, InterruptedException {
    try {
      return StudioHttp.exchange(http, request, handler, deadlines.exchange(), () -> false);
    } catch (HttpConnectTimeoutException e) {
      throw new UpdateException("cannot reach " + what + " " + shown(url) + ": " + why(e), e);
    } catch (HttpTimeoutException e) {
      throw new UpdateException(
          what + " did not arrive within " + Deadlines.shown(deadlines.exchange()));
    } catch (IOException e) {
      throw new UpdateException("cannot reach " + what + " " + shown(url) + ": " + why(e), e);
    }
  }

  /**
   * A transport error in words. The JDK's client throws some without a message (a refused
   * connection is a bare {@code ConnectException}), so the kind of error is named first; then the
   * first message in the chain; then the class.
   */
  static String why(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      switch (t) {
        case HttpConnectTimeoutException e -> {
          return "the connection timed out";
        }
        case ConnectException e -> {
          String message = e.getMessage();
          return message == null || message.isBlank() || message.contains("refused")
              ? "connection refused"
              : message;
        }
        case UnknownHostException e -> {
          return "unknown host";
        }
        case SSLHandshakeException e -> {
          return "the TLS handshake failed" + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
        case ClosedChannelException e -> {
          return "the connection was closed";
        }
        case EOFException e -> {
          return "the connection was closed before the reply was complete";
        }
        default -> {}
      }
    }
    for (Throwable t = error; t != null; t = t.getCause()) {
      String message = t.getMessage();
      if (message != null && !message.isBlank() && !message.equals("null")) {
        return message;
      }
    }
    return error.getClass().getSimpleName();
  }
}
