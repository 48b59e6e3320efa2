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
import java.util.concurrent.Executors;

/**
 * A release host on 127.0.0.1:0 (the JDK's HTTP server): serves what a test puts at a path, 404 for
 * anything else, and records every path asked for.
 */
final class ReleaseServer implements AutoCloseable {
  /** What a path answers: the body, and the Content-Length to declare (-1: the body's own). */
  record Answer(int status, byte[] body, long declaredLength) {}

  private final HttpServer server;
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  final List<String> requested = new CopyOnWriteArrayList<>();

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

  private void serve(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    requested.add(path);
    Answer answer = answers.get(path);
    try (exchange) {
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
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
