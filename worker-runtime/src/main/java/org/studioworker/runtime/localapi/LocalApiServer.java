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
 * The daemon's HTTP server on 127.0.0.1: binding, the guards, the body cap, bounded concurrency and
 * the error answers; what each route does is {@link DaemonRoutes}'s.
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

  /** The original's pool size. */
  static final int MAX_HANDLERS = 8;

  static final int PERMIT_WAIT_SECONDS = 5;

  static {
    // Read once by the JDK's server when it first loads; set here only when the operator did not.
    setIfAbsent("sun.net.httpserver.maxConnections", "256");
    setIfAbsent("sun.net.httpserver.maxReqTime", "30");
    setIfAbsent("sun.net.httpserver.maxReqHeaders", "100");
  }

  /** A request as the routes see it; the body is read already, within the route's cap. */
  public record Request(String method, String path, @Nullable String query, byte[] body) {}

  /** An answer: status, content type, bytes and extra headers. */
  public record Reply(int status, String contentType, byte[] body, Map<String, String> headers) {
    static final String JSON = "application/json";
    static final String TEXT = "text/plain; charset=utf-8";

    /** A JSON answer. */
    public static Reply json(int status, byte[] body) {
      return new Reply(status, JSON, body, Map.of());
    }

    /** A plain-text answer. */
    public static Reply text(int status, String body) {
      return new Reply(status, TEXT, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** The same answer with one more header. */
    public Reply with(String name, String value) {
      Map<String, String> more = new java.util.LinkedHashMap<>(headers);
      more.put(name, value);
      return new Reply(status, contentType, body, Map.copyOf(more));
    }
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
    this.routes = Map.copyOf(routes);
    this.errors = errors;
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
        send(exchange, answer(exchange, method, path));
      } finally {
        handlers.release();
      }
    }
  }

  private Reply answer(HttpExchange exchange, String method, String path) {
    Route route = routes.get(path);
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
    if (route == null) {
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
          new Request(method, path, exchange.getRequestURI().getRawQuery(), body));
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
