package org.studioworker.runtime.localapi;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's HTTP server on 127.0.0.1: binding, the guards, the body caps, bounded concurrency
 * and the error answers; what each route does is {@link DaemonRoutes}'s and {@link JobRoutes}'s.
 *
 * <p>A route's path is exact ({@code /daemon/status}) or a pattern whose {@code {name}} segments
 * each match one non-empty segment ({@code /jobs/{id}/log}); exact routes are looked up first. An
 * answer is whole ({@link Reply}), or streamed ({@link Reply#streamed}): with chunked encoding for
 * server-sent events, or with a known length for a file sent from disk.
 *
 * <p>Why the JDK's {@code jdk.httpserver}: it needs no dependency (the module is in the runtime
 * image, about 0.2 MB), starts in a few milliseconds, speaks HTTP/1.1 only (no h2c upgrade to get
 * wrong), and its one selector thread holds idle keep-alive connections without a thread each. Each
 * exchange runs on a virtual thread, so a client that sends its headers slowly costs a few hundred
 * bytes, not a pool thread; at most {@value #MAX_HANDLERS} exchanges are handled at once (a route
 * waits up to {@value #PERMIT_WAIT_SECONDS} s for a turn, then gets 503), the number of open
 * connections and the time to read a request are bounded (the {@code sun.net.httpserver.*}
 * properties set below unless the operator set them), and so a flood of local clients cannot starve
 * the daemon or the studio session.
 */
public final class LocalApiServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger("local-api");

  /** The original's port. */
  public static final int DEFAULT_PORT = 4787;

  /** The body cap of every route but the image route. */
  public static final int MAX_BODY_BYTES = 1024 * 1024;

  /** The body cap of {@code POST /image}, whose inputs are inline {@code data:} URLs. */
  public static final int MAX_IMAGE_BODY_BYTES = 64 * 1024 * 1024;

  /** The original's pool size. */
  static final int MAX_HANDLERS = 8;

  static final int PERMIT_WAIT_SECONDS = 5;

  static {
    // Read once by the JDK's server when it first loads; set here only when the operator did not.
    setIfAbsent("sun.net.httpserver.maxConnections", "256");
    setIfAbsent("sun.net.httpserver.maxReqTime", "30");
    setIfAbsent("sun.net.httpserver.maxReqHeaders", "100");
  }

  /**
   * A request as the routes see it; the body is read already, within the route's cap.
   *
   * @param params the values of the route's {@code {name}} segments (raw, as in the path)
   */
  public record Request(
      String method, String path, @Nullable String query, byte[] body, Map<String, String> params) {
    /** A request to an exact route: no path parameters. */
    public Request(String method, String path, @Nullable String query, byte[] body) {
      this(method, path, query, body, Map.of());
    }

    public Request {
      params = Map.copyOf(params);
    }

    /** The value of the path parameter {@code name}, or null when the route has none. */
    public @Nullable String param(String name) {
      return params.get(name);
    }
  }

  /**
   * An answer: status, content type, bytes and extra headers; or, when {@code stream} is not null,
   * an answer that {@code stream} writes itself (the other fields are then unused).
   */
  public record Reply(
      int status,
      String contentType,
      byte[] body,
      Map<String, String> headers,
      @Nullable Streamer stream) {
    static final String JSON = "application/json";
    static final String TEXT = "text/plain; charset=utf-8";

    /** A whole answer. */
    public Reply(int status, String contentType, byte[] body, Map<String, String> headers) {
      this(status, contentType, body, headers, null);
    }

    /** A JSON answer. */
    public static Reply json(int status, byte[] body) {
      return new Reply(status, JSON, body, Map.of());
    }

    /** A plain-text answer. */
    public static Reply text(int status, String body) {
      return new Reply(status, TEXT, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /**
     * An answer written by {@code stream} once the handler has returned, on the exchange's thread:
     * it chooses between a whole answer ({@link Sink#reply}) and a streamed body ({@link
     * Sink#start}).
     */
    public static Reply streamed(Streamer stream) {
      return new Reply(200, TEXT, new byte[0], Map.of(), stream);
    }

    /** The same answer with one more header (not for a streamed one, which sets its own). */
    public Reply with(String name, String value) {
      Map<String, String> more = new java.util.LinkedHashMap<>(headers);
      more.put(name, value);
      return new Reply(status, contentType, body, Map.copyOf(more), stream);
    }
  }

  /** Writes an answer itself, for server-sent events. */
  @FunctionalInterface
  public interface Streamer {
    /**
     * Answers through {@code sink}: once with {@link Sink#reply}, or by {@link Sink#start} and then
     * writing the body. An answer that calls neither gets a 500.
     *
     * @throws IOException when the client went away (the body's writes throw it)
     */
    void write(Sink sink) throws Exception;
  }

  /** Where a {@link Streamer} answers. */
  public interface Sink {
    /** Sends a whole answer instead of a stream; only before {@link #start}. */
    void reply(Reply reply) throws IOException;

    /**
     * Sends the status and the headers, and returns the body, sent with chunked encoding: each
     * {@code flush()} sends what was written so far. Writes block while the client reads slowly
     * (the JDK's chunk buffer and the socket's are all there is) and throw {@link IOException} once
     * it has gone away. Closed by the server after {@link Streamer#write} returns.
     */
    OutputStream start(int status, String contentType, Map<String, String> headers)
        throws IOException;

    /**
     * Sends the status and the headers with {@code Content-Length: length}, and returns the body,
     * to which exactly {@code length} bytes must be written (a file streamed from disk). Writes
     * block while the client reads slowly and throw {@link IOException} once it has gone away.
     * Closed by the server after {@link Streamer#write} returns.
     */
    OutputStream start(int status, String contentType, long length, Map<String, String> headers)
        throws IOException;
  }

  /** What a route does with a request. */
  @FunctionalInterface
  public interface Handler {
    Reply handle(Request request) throws Exception;
  }

  /**
   * One route.
   *
   * @param access who may call it
   * @param bodyCap the largest body read, in bytes
   * @param methods the handler of each method
   */
  public record Route(Access access, int bodyCap, Map<String, Handler> methods) {}

  /** How a route is guarded. */
  public enum Access {
    /** No check at all: {@code /healthz}, as the original serves it. */
    OPEN,
    /** Loopback {@code Host} and {@code Origin}, no token: read-only and secret-free. */
    LOOPBACK,
    /** All three checks. */
    TOKEN
  }

  /** Answers errors in the shape of the path: JSON under {@code /daemon/}, text elsewhere. */
  @FunctionalInterface
  public interface Errors {
    Reply error(String path, int status, String code, String message);
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final URI url;
  private final Guards guards;
  private final Map<String, Route> routes;
  private final List<Pattern> patterns;
  private final Errors errors;
  private final Semaphore handlers = new Semaphore(MAX_HANDLERS);
  private volatile @Nullable Path published;

  private LocalApiServer(
      HttpServer server,
      ExecutorService executor,
      String token,
      Map<String, Route> routes,
      Errors errors) {
    this.server = server;
    this.executor = executor;
    this.url = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    this.guards = new Guards(token);
    Map<String, Route> exact = new java.util.HashMap<>();
    List<Pattern> patterns = new java.util.ArrayList<>();
    routes.forEach(
        (path, route) -> {
          if (path.contains("{")) {
            patterns.add(Pattern.of(path, route));
          } else {
            exact.put(path, route);
          }
        });
    this.routes = Map.copyOf(exact);
    this.patterns = List.copyOf(patterns);
    this.errors = errors;
  }

  /**
   * A route with {@code {name}} segments, each of which matches one non-empty path segment.
   *
   * @param segments the route's path split at {@code /}
   */
  private record Pattern(List<String> segments, Route route) {
    static Pattern of(String path, Route route) {
      List<String> segments = List.of(path.split("/", -1));
      for (String segment : segments) {
        if (segment.contains("{")
            && !(segment.startsWith("{") && segment.endsWith("}") && segment.length() > 2)) {
          throw new IllegalArgumentException("a parameter must be a whole segment: " + path);
        }
      }
      return new Pattern(segments, route);
    }

    /** The parameters when {@code path} matches, else null. */
    @Nullable Map<String, String> match(String path) {
      String[] parts = path.split("/", -1);
      if (parts.length != segments.size()) {
        return null;
      }
      Map<String, String> params = new java.util.HashMap<>();
      for (int i = 0; i < parts.length; i++) {
        String segment = segments.get(i);
        if (segment.startsWith("{")) {
          if (parts[i].isEmpty()) {
            return null;
          }
          params.put(segment.substring(1, segment.length() - 1), parts[i]);
        } else if (!segment.equals(parts[i])) {
          return null;
        }
      }
      return params;
    }
  }

  /** A route found for a path, with its parameters. */
  private record Found(Route route, Map<String, String> params) {}

  /** The exact route of {@code path}, else the first pattern that matches, else null. */
  private @Nullable Found find(String path) {
    Route route = routes.get(path);
    if (route != null) {
      return new Found(route, Map.of());
    }
    for (Pattern pattern : patterns) {
      Map<String, String> params = pattern.match(path);
      if (params != null) {
        return new Found(pattern.route(), params);
      }
    }
    return null;
  }

  /**
   * Binds {@code 127.0.0.1:<port>}, else {@code 127.0.0.1:0}, and starts serving.
   *
   * @return empty when neither bind worked (logged at warn): the daemon runs without the API
   */
  public static Optional<LocalApiServer> start(
      int port, String token, Map<String, Route> routes, Errors errors) {
    HttpServer server = null;
    InetAddress loopback = InetAddress.getLoopbackAddress();
    try {
      server = HttpServer.create(new InetSocketAddress(loopback, port), 64);
    } catch (IOException e) {
      log.warn(
          "local API: 127.0.0.1:{} is not free ({}); using a free port instead",
          port,
          e instanceof BindException ? "in use" : e.getMessage());
    }
    if (server == null) {
      try {
        server = HttpServer.create(new InetSocketAddress(loopback, 0), 64);
      } catch (IOException e) {
        log.warn(
            "local API not started: cannot bind 127.0.0.1 ({}); the worker runs without it",
            e.getMessage());
        return Optional.empty();
      }
    }
    ExecutorService executor =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("local-api-", 0).factory());
    LocalApiServer api = new LocalApiServer(server, executor, token, routes, errors);
    server.createContext("/", api::exchange);
    server.setExecutor(executor);
    server.start();
    return Optional.of(api);
  }

  /** Where it listens: {@code http://127.0.0.1:<port>}. */
  public URI url() {
    return url;
  }

  /**
   * Writes the discovery file for this server (atomically, mode 0600); {@link #close} removes it
   * before the port closes, so that a client never finds a file that names a closed port after a
   * clean stop.
   */
  public void publish(Path file, String token) throws IOException {
    new Discovery(url, token).write(file);
    published = file;
  }

  /** Removes the discovery file, then stops listening; exchanges in progress get a second. */
  @Override
  public void close() {
    Path file = published;
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        log.warn("cannot remove {}: {}", file, e.getMessage());
      }
    }
    server.stop(1);
    executor.shutdownNow();
  }

  private void exchange(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getRawPath();
      boolean turn;
      try {
        turn = handlers.tryAcquire(PERMIT_WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (!turn) {
        send(
            exchange,
            errors
                .error(path, 503, "overloaded", "the local API is busy; retry shortly")
                .with("Retry-After", "1"));
        return;
      }
      try {
        Reply reply = answer(exchange, method, path);
        Streamer stream = reply.stream();
        if (stream == null) {
          send(exchange, reply);
        } else {
          stream(exchange, method, path, stream);
        }
      } finally {
        handlers.release();
      }
    }
  }

  private Reply answer(HttpExchange exchange, String method, String path) {
    Found found = find(path);
    Route route = found == null ? null : found.route();
    Headers headers = exchange.getRequestHeaders();
    if (route == null || route.access() != Access.OPEN) {
      Guards.Denial denial =
          guards.check(
              worst(headers.get("Host"), Guards::isLoopbackHost),
              worst(headers.get("Origin"), Guards::isLoopbackOrigin),
              headers.getFirst("Authorization"),
              route == null || route.access() == Access.TOKEN);
      if (denial != null) {
        log.warn("local API refused {} {}: {} {}", method, path, denial.status(), denial.code());
        return errors.error(path, denial.status(), denial.code(), denial.message());
      }
    }
    if (found == null || route == null) {
      return errors.error(path, 404, "not_found", "no such daemon route");
    }
    Handler handler = route.methods().get(method);
    if (handler == null) {
      String allowed = String.join(", ", new java.util.TreeSet<>(route.methods().keySet()));
      return errors
          .error(
              path,
              405,
              "method_not_allowed",
              "method " + Guards.shown(method) + " is not allowed here; use " + allowed)
          .with("Allow", allowed);
    }
    byte[] body;
    try {
      body = readBody(exchange, route.bodyCap());
    } catch (TooLarge e) {
      log.warn("local API refused {} {}: 413 body over {} bytes", method, path, route.bodyCap());
      // Closed after the answer: the rest of the body is not read.
      return errors
          .error(
              path, 413, "payload_too_large", "request body exceeds " + route.bodyCap() + " bytes")
          .with("Connection", "close");
    } catch (IOException e) {
      return errors.error(path, 400, "bad_request", "the request body could not be read");
    }
    try {
      return handler.handle(
          new Request(method, path, exchange.getRequestURI().getRawQuery(), body, found.params()));
    } catch (Exception e) {
      log.error("local API {} {} failed: {}", method, path, e.toString(), e);
      return errors.error(path, 500, "internal_error", "internal error; see the daemon's log");
    }
  }

  /** The first value that fails {@code ok}, else the first value, else null. */
  private static @Nullable String worst(
      @Nullable List<String> values, java.util.function.Predicate<String> ok) {
    if (values == null || values.isEmpty()) {
      return null;
    }
    return values.stream().filter(v -> !ok.test(v)).findFirst().orElse(values.getFirst());
  }

  private static final class TooLarge extends Exception {
    TooLarge() {
      super(null, null, false, false);
    }
  }

  /** At most {@code cap} bytes; a declared length over the cap is refused before any is read. */
  private static byte[] readBody(HttpExchange exchange, int cap) throws IOException, TooLarge {
    String declared = exchange.getRequestHeaders().getFirst("Content-Length");
    if (declared != null) {
      try {
        if (Long.parseLong(declared.strip()) > cap) {
          throw new TooLarge();
        }
      } catch (NumberFormatException e) {
        throw new IOException("bad Content-Length");
      }
    }
    InputStream in = exchange.getRequestBody();
    byte[] bytes = in.readNBytes(cap + 1);
    if (bytes.length > cap) {
      throw new TooLarge();
    }
    return bytes;
  }

  /**
   * Runs a streamed answer. A failure before it started answers 500 (as a handler's does); after,
   * the body just ends: the status is out already, and most often the client has gone.
   */
  private void stream(HttpExchange exchange, String method, String path, Streamer stream)
      throws IOException {
    boolean[] answered = {false};
    Sink sink =
        new Sink() {
          @Override
          public void reply(Reply reply) throws IOException {
            if (answered[0]) {
              throw new IllegalStateException("answered already");
            }
            answered[0] = true;
            send(exchange, reply);
          }

          @Override
          public OutputStream start(int status, String contentType, Map<String, String> headers)
              throws IOException {
            // 0: chunked encoding.
            return begin(status, contentType, 0, headers);
          }

          @Override
          public OutputStream start(
              int status, String contentType, long length, Map<String, String> headers)
              throws IOException {
            if (length < 0) {
              throw new IllegalArgumentException("a negative length");
            }
            // -1: no body at all.
            return begin(status, contentType, length == 0 ? -1 : length, headers);
          }

          private OutputStream begin(
              int status, String contentType, long length, Map<String, String> headers)
              throws IOException {
            if (answered[0]) {
              throw new IllegalStateException("answered already");
            }
            answered[0] = true;
            Headers out = exchange.getResponseHeaders();
            out.set("Content-Type", contentType);
            out.set("X-Content-Type-Options", "nosniff");
            headers.forEach(out::set);
            exchange.sendResponseHeaders(status, length);
            return exchange.getResponseBody();
          }
        };
    try {
      stream.write(sink);
      if (!answered[0]) {
        log.error("local API {} {}: the streamed answer wrote nothing", method, path);
        send(exchange, errors.error(path, 500, "internal_error", "internal error"));
      }
    } catch (IOException e) {
      if (!answered[0]) {
        throw e;
      }
      log.debug("local API {} {}: the stream ended early: {}", method, path, e.toString());
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      log.error("local API {} {} failed: {}", method, path, e.toString(), e);
      if (!answered[0]) {
        send(
            exchange,
            errors.error(path, 500, "internal_error", "internal error; see the daemon's log"));
      }
    }
  }

  private static void send(HttpExchange exchange, Reply reply) throws IOException {
    Headers out = exchange.getResponseHeaders();
    out.set("Content-Type", reply.contentType());
    out.set("Cache-Control", "no-store");
    out.set("X-Content-Type-Options", "nosniff");
    reply.headers().forEach(out::set);
    byte[] body = reply.body();
    exchange.sendResponseHeaders(reply.status(), body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream stream = exchange.getResponseBody()) {
        stream.write(body);
      }
    }
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
