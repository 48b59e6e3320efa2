package org.studioworker.runtime.update;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A release host on 127.0.0.1:0 (the JDK's HTTP server): serves what a test puts at a path, 404 for
 * anything else, and records every path asked for. A path may also stall (headers and a few bytes,
 * then nothing until the server closes) or flood (a body of 1 GiB, written until the client hangs
 * up, counted in {@link #flooded}).
 */
final class ReleaseServer implements AutoCloseable {
  /** What a path answers: the body, and the Content-Length to declare (-1: the body's own). */
  record Answer(int status, byte[] body, long declaredLength) {}

  /** What a flood declares: far more than any body the update path may read. */
  static final long FLOOD_BYTES = 1L << 30;

  private final HttpServer server;
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  private final Map<String, Answer> stalls = new ConcurrentHashMap<>();
  private final Map<String, Integer> floods = new ConcurrentHashMap<>();
  private final CountDownLatch closing = new CountDownLatch(1);
  private volatile boolean refuseUpgrades;
  final List<String> requested = new CopyOnWriteArrayList<>();

  /** Bytes a flood wrote before the client hung up. */
  final AtomicLong flooded = new AtomicLong();

  /** Set once a flood's writes failed: the client closed the exchange. */
  final AtomicBoolean floodEnded = new AtomicBoolean();

  ReleaseServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", this::serve);
    server.start();
  }

  URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  void put(String path, byte[] body) {
    answers.put(path, new Answer(200, body, -1));
  }

  void put(String path, String body) {
    put(path, body.getBytes(StandardCharsets.UTF_8));
  }

  void put(String path, Answer answer) {
    answers.put(path, answer);
  }

  void remove(String path) {
    answers.remove(path);
  }

  /**
   * {@code path} answers 200 declaring {@code declaredLength} bytes, sends {@code prefix}, then
   * nothing more until the server closes.
   */
  void stall(String path, long declaredLength, byte[] prefix) {
    stalls.put(path, new Answer(200, prefix, declaredLength));
  }

  /** {@code path} answers {@code status} with a body of {@link #FLOOD_BYTES}. */
  void flood(String path, int status) {
    floods.put(path, status);
  }

  /** Answers 400 to any request with an {@code Upgrade} header, as Node servers do for h2c. */
  void refuseUpgrades() {
    refuseUpgrades = true;
  }

  private void serve(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    requested.add(path);
    Answer answer = answers.get(path);
    Answer stall = stalls.get(path);
    Integer flood = floods.get(path);
    try (exchange) {
      if (refuseUpgrades && exchange.getRequestHeaders().containsKey("Upgrade")) {
        exchange.sendResponseHeaders(400, -1);
        return;
      }
      if (stall != null) {
        exchange.sendResponseHeaders(stall.status(), stall.declaredLength());
        OutputStream out = exchange.getResponseBody();
        out.write(stall.body());
        out.flush();
        closing.await();
        return;
      }
      if (flood != null) {
        flood(exchange, flood);
        return;
      }
      if (answer == null) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      long declared = answer.declaredLength() >= 0 ? answer.declaredLength() : answer.body().length;
      exchange.sendResponseHeaders(answer.status(), declared == 0 ? -1 : declared);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(answer.body(), 0, (int) Math.min(declared, answer.body().length));
      }
    } catch (IOException e) {
      // A client that gives up early is part of some tests.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void flood(HttpExchange exchange, int status) throws IOException {
    exchange.sendResponseHeaders(status, FLOOD_BYTES);
    byte[] chunk = new byte[64 * 1024];
    try {
      OutputStream out = exchange.getResponseBody();
      while (flooded.get() < FLOOD_BYTES) {
        out.write(chunk);
        flooded.addAndGet(chunk.length);
      }
    } finally {
      floodEnded.set(true);
    }
  }

  @Override
  public void close() {
    closing.countDown();
    server.stop(0);
  }
}
