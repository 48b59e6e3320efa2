package org.studioworker.dist;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A release feed on loopback shaped like GitHub's: {@code /feed.json} lists one release whose only
 * asset is the archive, and {@code /download/<name>} serves the files of one folder (the archive
 * and its {@code .sha256} and {@code .sig}) with a {@code Content-Length}; anything else is 404.
 */
final class FeedServer implements AutoCloseable {
  private final HttpServer server;
  private final Path files;
  private final String feed;

  /** Requests received per path, whatever the answer. */
  private final ConcurrentHashMap<String, AtomicInteger> requests = new ConcurrentHashMap<>();

  private FeedServer(HttpServer server, Path files, String feed) {
    this.server = server;
    this.files = files;
    this.feed = feed;
  }

  /** Serves a feed of one release, tagged {@code v<version>}, carrying {@code archive}. */
  static FeedServer start(String version, Path archive) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    String name = archive.getFileName().toString();
    String feed =
        """
        [{"tag_name": "v%s", "name": "%s", "draft": false, "prerelease": false,
          "assets": [{"name": "%s", "browser_download_url": "%s/download/%s"}]}]
        """
            .formatted(version, version, name, base, name);
    FeedServer feedServer = new FeedServer(server, archive.getParent(), feed);
    server.createContext("/", feedServer::handle);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
    return feedServer;
  }

  /** The feed's URL, for {@code auto_update_feed}. */
  URI feedUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/feed.json");
  }

  /** How many requests for {@code path} ({@code /feed.json}, {@code /download/<name>}) arrived. */
  int requests(String path) {
    AtomicInteger count = requests.get(path);
    return count == null ? 0 : count.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      requests.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
      byte @Nullable [] body = null;
      if (path.equals("/feed.json")) {
        body = feed.getBytes(StandardCharsets.UTF_8);
      } else if (path.startsWith("/download/")) {
        Path file = files.resolve(path.substring("/download/".length())).normalize();
        if (file.getParent().equals(files) && Files.isRegularFile(file)) {
          body = Files.readAllBytes(file);
        }
      }
      if (body == null) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
