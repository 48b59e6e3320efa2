package org.studioworker.runtime.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A small JDK HTTP server on 127.0.0.1 that plays the studio, a mirror or a feed the way other
 * stacks do: strict (it refuses any request that asks for an {@code h2c} upgrade, as Node's http
 * server and some proxies do with the JDK client's default) and, when told, slow (headers and a few
 * bytes, then silence until it is closed).
 *
 * <p>Every handler runs on a virtual thread of its own; {@link #close} releases stalled replies.
 */
public final class StandInServer implements AutoCloseable {
  /** Answers one request. */
  @FunctionalInterface
  public interface Handler {
    void handle(HttpExchange exchange, StandInServer server)
        throws IOException, InterruptedException;
  }

  private final HttpServer server;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final List<String> upgradesRefused = new CopyOnWriteArrayList<>();

  private StandInServer(HttpServer server) {
    this.server = server;
  }

  /** Starts a server whose every request goes to {@code handler}, after the strictness check. */
  public static StandInServer start(Handler handler) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    StandInServer standIn = new StandInServer(server);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            String upgrade = exchange.getRequestHeaders().getFirst("Upgrade");
            if (upgrade != null && upgrade.toLowerCase(java.util.Locale.ROOT).contains("h2c")) {
              standIn.upgradesRefused.add(upgrade);
              reply(exchange, 400, "upgrade not supported: " + upgrade);
              return;
            }
            handler.handle(exchange, standIn);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    server.start();
    return standIn;
  }

  /** The base URL, {@code http://127.0.0.1:<port>}. */
  public URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** The {@code Upgrade} headers of the requests refused so far. */
  public List<String> upgradesRefused() {
    return List.copyOf(upgradesRefused);
  }

  /**
   * Sends status and headers announcing {@code length} bytes, then {@code prefix}, then holds the
   * connection silent until the server closes (at most a minute).
   */
  public void stall(HttpExchange exchange, int status, long length, byte[] prefix)
      throws IOException, InterruptedException {
    exchange.sendResponseHeaders(status, length);
    OutputStream body = exchange.getResponseBody();
    body.write(prefix);
    body.flush();
    closed.await(60, TimeUnit.SECONDS);
  }

  /** Answers with a text body. */
  public static void reply(HttpExchange exchange, int status, String text) throws IOException {
    byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      exchange.getResponseBody().write(bytes);
    }
  }

  @Override
  public void close() {
    closed.countDown();
    server.stop(0);
  }
}
