package org.studioworker.runtime.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.runtime.http.StudioHttp;
import org.studioworker.runtime.status.Traffic;
import org.studioworker.spi.ExecutorException;
import org.studioworker.spi.FileRole;
import org.studioworker.spi.ModelFile;

final class ModelStoreTest {
  private static final byte[] BODY = body(300_000);

  @TempDir Path root;

  private HttpServer server;
  private String base;
  private final List<String> ranges = new CopyOnWriteArrayList<>();
  private final AtomicInteger requests = new AtomicInteger();

  /** When positive, the server stops after this many bytes of the body (once). */
  private final AtomicInteger dieAfter = new AtomicInteger();

  private final CountDownLatch release = new CountDownLatch(1);
  private volatile boolean holdFirst;

  private final Traffic traffic = new Traffic();
  private ModelStore store;

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/model.gguf", this::serveModel);
    server.createContext(
        "/missing",
        exchange -> {
          exchange.sendResponseHeaders(404, -1);
          exchange.close();
        });
    server.createContext(
        "/to-https",
        exchange -> {
          exchange.getResponseHeaders().add("Location", "https://127.0.0.1:1/model.gguf");
          exchange.sendResponseHeaders(302, -1);
          exchange.close();
        });
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
    store =
        new ModelStore(
            root,
            StudioHttp.client(Duration.ofSeconds(5)),
            InstantSource.system(),
            Duration.ofSeconds(10),
            traffic);
  }

  @AfterEach
  void stopServer() {
    release.countDown();
    server.stop(0);
  }

  private void serveModel(HttpExchange exchange) throws IOException {
    requests.incrementAndGet();
    if (holdFirst) {
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    String range = exchange.getRequestHeaders().getFirst("Range");
    int from = 0;
    if (range != null) {
      ranges.add(range);
      from = Integer.parseInt(range.replaceAll("bytes=(\\d+)-", "$1"));
      exchange
          .getResponseHeaders()
          .add("Content-Range", "bytes " + from + "-" + (BODY.length - 1) + "/" + BODY.length);
      exchange.sendResponseHeaders(206, BODY.length - from);
    } else {
      exchange.sendResponseHeaders(200, BODY.length);
    }
    try (OutputStream out = exchange.getResponseBody()) {
      int cut = dieAfter.getAndSet(0);
      if (cut > 0) {
        out.write(BODY, from, cut);
        out.flush();
        // Drop the connection mid-body, as a dying server would.
        exchange.getHttpContext().getServer().stop(0);
        return;
      }
      out.write(BODY, from, BODY.length - from);
    }
  }

  private ModelFile file(String path, String name, String sha256) {
    return new ModelFile(FileRole.MODEL, base + path, name, (long) BODY.length, sha256);
  }

  @Test
  void downloadsVerifiesAndRecordsTheFile() throws Exception {
    Path local =
        store.fetch("org/model:v1", file("/model.gguf", "model.gguf", sha(BODY)), () -> false);

    assertThat(local).isEqualTo(root.resolve("org_model_v1").resolve("model.gguf"));
    assertThat(Files.readAllBytes(local)).isEqualTo(BODY);
    assertThat(Files.exists(local.resolveSibling("model.gguf.part"))).isFalse();
    String manifest = Files.readString(local.resolveSibling("manifest.json"));
    assertThat(manifest).contains(sha(BODY)).contains("\"bytes\" : " + BODY.length);

    store.fetch("org/model:v1", file("/model.gguf", "model.gguf", sha(BODY)), () -> false);
    assertThat(requests).hasValue(1);
    assertThat(traffic.downloadBytes()).isEqualTo(BODY.length);
  }

  @Test
  void serverDyingMidDownloadKeepsThePartAndTheNextFetchResumesWithRange() throws Exception {
    dieAfter.set(100_000);
    ModelFile file = file("/model.gguf", "model.gguf", sha(BODY));

    assertThatThrownBy(() -> store.fetch("m", file, () -> false))
        .isInstanceOf(ExecutorException.class)
        .hasMessageContaining("partial file is kept");
    Path part = root.resolve("m").resolve("model.gguf.part");
    assertThat(Files.exists(root.resolve("m").resolve("model.gguf"))).isFalse();
    assertThat(Files.size(part)).isPositive();

    startServerAgainOnTheSamePort();
    Path local = store.fetch("m", file, () -> false);

    assertThat(ranges).singleElement().asString().startsWith("bytes=");
    assertThat(Files.readAllBytes(local)).isEqualTo(BODY);
    // The part came in the first try, the rest in the second: each byte counted once.
    assertThat(traffic.downloadBytes()).isEqualTo(BODY.length);
  }

  @Test
  void wrongHashRemovesTheFileAndFails() {
    ModelFile file = file("/model.gguf", "model.gguf", "0".repeat(64));

    assertThatThrownBy(() -> store.fetch("m", file, () -> false))
        .isInstanceOf(ExecutorException.class)
        .hasMessageContaining("does not match its SHA-256");
    // Only the download's lock file is left, never a model file or a part of one.
    assertThat(root.resolve("m"))
        .isDirectoryNotContaining("glob:**.gguf")
        .isDirectoryNotContaining("glob:**.part");
  }

  @Test
  void notFoundIsAClearFailure() {
    assertThatThrownBy(() -> store.fetch("m", file("/missing", "x.gguf", null), () -> false))
        .isInstanceOf(ExecutorException.class)
        .hasMessageContaining("HTTP 404");
  }

  @Test
  void redirectToAnotherSchemeIsRefused() {
    assertThatThrownBy(() -> store.fetch("m", file("/to-https", "x.gguf", null), () -> false))
        .isInstanceOf(ExecutorException.class)
        .hasMessageContaining("refusing a redirect from http to https");
  }

  @Test
  void namesThatCouldEscapeTheFolderAreRefused() {
    for (String name : List.of("../evil", "a/b", "/etc/passwd", "..", "x.part")) {
      assertThatThrownBy(() -> store.fetch("m", file("/model.gguf", name, null), () -> false))
          .as(name)
          .isInstanceOf(ExecutorException.class);
    }
    assertThat(requests).hasValue(0);
  }

  @Test
  void plainHttpToAnotherHostIsRefused() {
    ModelFile file =
        new ModelFile(FileRole.MODEL, "http://example.com/m.gguf", "m.gguf", null, null);

    assertThatThrownBy(() -> store.fetch("m", file, () -> false))
        .isInstanceOf(ExecutorException.class)
        .hasMessageContaining("must be https");
  }

  @Test
  void notEnoughDiskSpaceFailsBeforeDownloading() {
    ModelFile huge =
        new ModelFile(FileRole.MODEL, base + "/model.gguf", "huge.gguf", Long.MAX_VALUE / 4, null);

    assertThatThrownBy(() -> store.fetch("m", huge, () -> false))
        .isInstanceOf(ExecutorException.class)
        .hasMessageContaining("not enough disk space");
    assertThat(requests).hasValue(0);
  }

  @Test
  void twoJobsNeedingTheSameFileDownloadItOnce() throws Exception {
    holdFirst = true;
    ModelFile file = file("/model.gguf", "model.gguf", sha(BODY));
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<Path> first = pool.submit(() -> store.fetch("m", file, () -> false));
      Future<Path> second = pool.submit(() -> store.fetch("m", file, () -> false));
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> requests.get() >= 1);
      release.countDown();

      assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(second.get(10, TimeUnit.SECONDS));
    }
    assertThat(requests).hasValue(1);
  }

  private void startServerAgainOnTheSamePort() throws IOException {
    int port = server.getAddress().getPort();
    HttpServer again =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    again.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    again.createContext("/model.gguf", this::serveModel);
    again.start();
    server = again;
  }

  private static byte[] body(int size) {
    byte[] bytes = new byte[size];
    for (int i = 0; i < size; i++) {
      bytes[i] = (byte) (i * 31 + (i >> 8));
    }
    return bytes;
  }

  private static String sha(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
