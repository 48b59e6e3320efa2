package org.studioworker.runtime.cli;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.studioworker.runtime.http.StandInServer;
import org.studioworker.runtime.localapi.Discovery;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A daemon's local API as the contract describes it, over a real socket on 127.0.0.1: the bearer
 * check, {@code GET /daemon/status}, {@code GET /daemon/logs?after=N} over a numbered ring, {@code
 * POST /daemon/pause|resume}, JSON errors. A test can restart it (a new pid, the ring numbered from
 * 1 again), answer a route with a body of its choice, and read the requests in order.
 *
 * <p>Thread-safe: handlers run on the server's threads, the test drives it from its own.
 */
final class LocalApiStandIn implements AutoCloseable {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final StandInServer server;
  private final String token;
  private final BlockingQueue<String> requests = new LinkedBlockingQueue<>();

  /** Route ({@code GET /daemon/status}) to a status and body answered instead of the contract's. */
  private final Map<String, Map.Entry<Integer, String>> overrides = new ConcurrentHashMap<>();

  /** Guarded by {@code this}: the ring (oldest first), its newest seq, the pid, the flags. */
  private final List<ObjectNode> ring = new ArrayList<>();

  private long seq;
  private long pid;
  private boolean paused;
  private @Nullable String statusBody;

  private LocalApiStandIn(String token, long pid) throws IOException {
    this.token = token;
    this.pid = pid;
    this.server = StandInServer.start((exchange, standIn) -> handle(exchange));
  }

  /** Starts a stand-in that takes {@code token}, as the daemon with {@code pid}. */
  static LocalApiStandIn start(String token, long pid) throws IOException {
    return new LocalApiStandIn(token, pid);
  }

  URI url() {
    return server.url();
  }

  /** Writes the discovery file beside {@code config}, naming this server and {@code token}. */
  void writeDiscovery(Path config, String token) throws IOException {
    new Discovery(url(), token).write(Discovery.pathFor(config));
  }

  /** Appends a log entry logged at {@code time} ({@code HH:mm:ss.SSS}) on 2026-12-01, UTC. */
  synchronized void log(String time, String level, String category, String message) {
    log(time, level, category, message, null);
  }

  /** Appends a log entry belonging to {@code jobId}. */
  synchronized void log(
      String time, String level, String category, String message, @Nullable String jobId) {
    ObjectNode entry = JSON.createObjectNode();
    entry.put("ts", "2026-12-01T" + time + "Z");
    entry.put("level", level);
    entry.put("category", category);
    entry.put("message", message);
    if (jobId != null) {
      entry.put("jobId", jobId);
    }
    ring.add(entry);
    seq++;
  }

  /** Plays a restart: the pid {@code newPid}, an empty ring numbered from 1 again. */
  synchronized void restart(long newPid) {
    pid = newPid;
    ring.clear();
    seq = 0;
    paused = false;
  }

  synchronized boolean paused() {
    return paused;
  }

  /** Answers {@code GET /daemon/status} with {@code body} from now on. */
  synchronized void statusBody(String body) {
    statusBody = body;
  }

  /** Answers {@code route} ({@code POST /daemon/pause}) with {@code status} and {@code body}. */
  void override(String route, int status, String body) {
    overrides.put(route, Map.entry(status, body));
  }

  /** The next request, {@code GET /daemon/logs?after=3}, waiting at most 10 s. */
  @Nullable String nextRequest() throws InterruptedException {
    return requests.poll(10, TimeUnit.SECONDS);
  }

  /** The requests not yet taken by {@link #nextRequest}. */
  List<String> requestsLeft() {
    List<String> left = new ArrayList<>();
    requests.drainTo(left);
    return left;
  }

  private void handle(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getPath();
    String query = exchange.getRequestURI().getRawQuery();
    requests.add(method + " " + path + (query == null ? "" : "?" + query));
    String route = method + " " + path;
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    if (authorization == null
        || !authorization.toLowerCase(Locale.ROOT).startsWith("bearer ")
        || !authorization.substring("bearer ".length()).equals(token)) {
      error(
          exchange,
          401,
          "unauthorized",
          "missing or invalid Authorization bearer token; local clients can read the current"
              + " token from the local-api.json discovery file in the worker's config directory");
      return;
    }
    Map.Entry<Integer, String> override = overrides.get(route);
    if (override != null) {
      StandInServer.reply(exchange, override.getKey(), override.getValue());
      return;
    }
    switch (route) {
      case "GET /daemon/status" -> StandInServer.reply(exchange, 200, status());
      case "GET /daemon/logs" -> StandInServer.reply(exchange, 200, logs(after(query)));
      case "POST /daemon/pause" -> StandInServer.reply(exchange, 200, setPaused(true));
      case "POST /daemon/resume" -> StandInServer.reply(exchange, 200, setPaused(false));
      default -> error(exchange, 404, "not_found", "no such daemon route");
    }
  }

  private synchronized String status() {
    if (statusBody != null) {
      return statusBody;
    }
    ObjectNode status = JSON.createObjectNode();
    status.put("version", "0.5.0");
    status.put("pid", pid);
    status.put("paused", paused);
    status.put("logsSeq", seq);
    return JSON.writeValueAsString(status);
  }

  /** The contract's ring read: what came after {@code after}, or all when it is above the seq. */
  private synchronized String logs(long after) {
    long from = after > seq ? 0 : after;
    long first = seq - ring.size() + 1;
    ArrayNode entries = JSON.createArrayNode();
    for (int i = 0; i < ring.size(); i++) {
      if (first + i > from) {
        entries.add(ring.get(i));
      }
    }
    ObjectNode answer = JSON.createObjectNode();
    answer.set("entries", entries);
    answer.put("seq", seq);
    return JSON.writeValueAsString(answer);
  }

  private synchronized String setPaused(boolean value) {
    paused = value;
    return "{\"paused\":" + value + "}";
  }

  private static long after(@Nullable String query) {
    if (query != null && query.startsWith("after=")) {
      try {
        return Long.parseLong(query.substring("after=".length()));
      } catch (NumberFormatException e) {
        return 0;
      }
    }
    return 0;
  }

  private static void error(HttpExchange exchange, int status, String code, String message)
      throws IOException {
    ObjectNode body = JSON.createObjectNode();
    body.put("error", code);
    body.put("message", message);
    StandInServer.reply(exchange, status, JSON.writeValueAsString(body));
  }

  @Override
  public void close() {
    server.close();
  }
}
