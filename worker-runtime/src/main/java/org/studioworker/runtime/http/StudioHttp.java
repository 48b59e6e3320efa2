package org.studioworker.runtime.http;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * The one HTTP client of the worker, and the one way it makes a bounded exchange.
 *
 * <p>The client follows no redirects, has a connect timeout, runs on virtual threads and speaks
 * HTTP/1.1 only. Why pin HTTP/1.1 everywhere? On cleartext URLs the JDK client otherwise asks every
 * request for an {@code Upgrade: h2c}, which RFC 9113 deprecates and which Node's {@code http}
 * server, some proxies and WAFs refuse; over TLS HTTP/2 would buy nothing, since the worker makes
 * one request at a time and HTTP/1.1 keep-alive reuses the connection just as well. One protocol
 * keeps one set of failure modes.
 */
public final class StudioHttp {
  /** Why 250 ms? The contract's stop-check interval: a stop is noticed within it. */
  private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  private StudioHttp() {}

  /** Thrown when an exchange was given up because the caller is stopping. */
  public static final class AbandonedException extends InterruptedIOException {
    private static final long serialVersionUID = 1L;

    AbandonedException() {
      super("the worker is stopping");
    }
  }

  /**
   * A client for the studio's routes. Redirects are not followed: a registration secret or a token
   * must never be replayed to another host.
   */
  public static HttpClient client(Duration connectTimeout) {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .executor(Executors.newVirtualThreadPerTaskExecutor())
        .build();
  }

  /**
   * Sends {@code request} and reads its whole reply within {@code deadline}, body included.
   *
   * <p>Why not {@link HttpClient#send} with a request timeout? That timeout ends with the headers:
   * a server that sends headers and a few bytes and then goes quiet would hold the caller for ever.
   * Use it for small bodies (JSON replies, upload replies); a large download reads its body through
   * {@link org.studioworker.spi.net.BodyStream} with an idle timeout instead.
   *
   * <p>Blocks; checks {@code abandon} every 250 ms and cancels the exchange (closing its
   * connection) on the deadline, on {@code abandon} and on an interrupt.
   *
   * @throws HttpTimeoutException when the deadline passes
   * @throws AbandonedException when {@code abandon} turned true
   * @throws IOException on a transport error
   * @throws InterruptedException when the thread is interrupted
   */
  public static <T> HttpResponse<T> exchange(
      HttpClient http,
      HttpRequest request,
      HttpResponse.BodyHandler<T> handler,
      Duration deadline,
      BooleanSupplier abandon)
      throws IOException, InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    CompletableFuture<HttpResponse<T>> pending = http.sendAsync(request, handler);
    try {
      while (true) {
        long left = end - System.nanoTime();
        if (left <= 0) {
          throw new HttpTimeoutException("no complete reply within " + deadline.toSeconds() + " s");
        }
        if (abandon.getAsBoolean()) {
          throw new AbandonedException();
        }
        try {
          return pending.get(Math.min(left, SLICE_NANOS), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
          // Check the deadline and the stop again.
        } catch (ExecutionException e) {
          Throwable cause = e.getCause() == null ? e : e.getCause();
          if (cause instanceof IOException io) {
            throw io;
          }
          throw new IOException(cause.toString(), cause);
        }
      }
    } finally {
      // Cancelling a finished exchange does nothing; an unfinished one is aborted.
      pending.cancel(true);
    }
  }

  /**
   * What failed, in the words an operator searches for: {@code connection refused to
   * 127.0.0.1:8787}, {@code connecting to studio.example:443 timed out}, {@code unknown host
   * studio.example}, {@code 127.0.0.1:8787 closed the connection before replying}; anything else as
   * its type and message. Names the host and port only, never a path or query (which may carry a
   * token).
   */
  public static String describe(Throwable error, URI target) {
    String host = target.getHost() == null ? "?" : target.getHost();
    int port = target.getPort();
    if (port < 0) {
      String scheme = String.valueOf(target.getScheme()).toLowerCase(java.util.Locale.ROOT);
      port = scheme.equals("https") || scheme.equals("wss") ? 443 : 80;
    }
    String where = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    for (Throwable t = error; t != null; t = t.getCause()) {
      String message = t.getMessage() == null ? "" : t.getMessage();
      switch (t) {
        case java.net.http.HttpConnectTimeoutException c -> {
          return "connecting to " + where + " timed out";
        }
        case java.net.ConnectException c -> {
          return message.toLowerCase(java.util.Locale.ROOT).contains("timed out")
              ? "connecting to " + where + " timed out"
              : "connection refused to " + where;
        }
        case java.net.UnknownHostException u -> {
          return "unknown host " + host;
        }
        case java.net.NoRouteToHostException n -> {
          return "no route to " + where;
        }
        case javax.net.ssl.SSLException ssl -> {
          return "TLS with " + where + " failed: " + message;
        }
        case HttpTimeoutException h -> {
          return where + " did not reply in time";
        }
        default -> {
          if (message.contains("header parser received no bytes")
              || t instanceof java.io.EOFException
              || t instanceof java.nio.channels.ClosedChannelException) {
            return where + " closed the connection before replying";
          }
        }
      }
    }
    String message = error.getMessage();
    return error.getClass().getSimpleName()
        + (message == null || message.isBlank() ? "" : ": " + message);
  }
}
