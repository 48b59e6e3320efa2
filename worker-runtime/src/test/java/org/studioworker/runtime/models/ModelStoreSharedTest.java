package org.studioworker.runtime.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.runtime.http.StandInServer;
import org.studioworker.runtime.http.StudioHttp;
import org.studioworker.runtime.status.Traffic;
import org.studioworker.spi.ExecutorException;
import org.studioworker.spi.FileRole;
import org.studioworker.spi.ModelFile;

/**
 * Workers sharing one {@code models_root}: the same file wanted by two stores or two processes at
 * once is downloaded once; a holder killed mid-download is taken over with {@code Range}; the disk
 * space that other live downloads claim is not counted as free.
 */
final class ModelStoreSharedTest {
  private static final byte[] BODY = body();

  @TempDir Path dir;

  /** The Range header of every request, "null" for a full GET. */
  private final List<String> ranges = new CopyOnWriteArrayList<>();

  private final AtomicInteger requests = new AtomicInteger();
  private final CountDownLatch release = new CountDownLatch(1);
  private final List<Process> children = new ArrayList<>();

  private static byte[] body() {
    byte[] bytes = new byte[200_000];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (i * 17 + 3);
    }
    return bytes;
  }

  @AfterEach
  void stopChildren() throws IOException {
    release.countDown();
    try (var logs = Files.newDirectoryStream(dir, "*.log")) {
      for (Path log : logs) {
        // What a child said about its model file, for the report of a failed test.
        read(log)
            .lines()
            .filter(
                line ->
                    line.contains(" models ")
                        || line.startsWith("fetched")
                        || line.startsWith("failed"))
            .forEach(line -> System.out.println(log.getFileName() + ": " + line));
      }
    }
    children.forEach(Process::destroyForcibly);
  }

  /** The first full GET sends 10 000 bytes and waits for {@link #release}; the rest are served. */
  private void holdFirst(HttpExchange exchange, StandInServer self) throws IOException {
    String range = exchange.getRequestHeaders().getFirst("Range");
    ranges.add(String.valueOf(range));
    if (requests.incrementAndGet() == 1) {
      exchange.sendResponseHeaders(200, BODY.length);
      OutputStream out = exchange.getResponseBody();
      out.write(BODY, 0, 10_000);
      out.flush();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      out.write(BODY, 10_000, BODY.length - 10_000);
      return;
    }
    serveFrom(exchange, range);
  }

  private static void serveFrom(HttpExchange exchange, String range) throws IOException {
    int from = range == null ? 0 : Integer.parseInt(range.replace("bytes=", "").replace("-", ""));
    if (from > 0) {
      exchange
          .getResponseHeaders()
          .set("Content-Range", "bytes " + from + "-" + (BODY.length - 1) + "/" + BODY.length);
    }
    exchange.sendResponseHeaders(from > 0 ? 206 : 200, BODY.length - from);
    exchange.getResponseBody().write(BODY, from, BODY.length - from);
  }

  private ModelStore store(Path root, DiskSpace space) {
    return new ModelStore(
        root,
        StudioHttp.client(Duration.ofSeconds(5)),
        InstantSource.system(),
        Duration.ofSeconds(5),
        Duration.ofSeconds(10),
        new Traffic(),
        space);
  }

  private static ModelFile file(StandInServer server) throws Exception {
    return new ModelFile(
        FileRole.MODEL, server.url() + "/m.gguf", "m.gguf", (long) BODY.length, sha());
  }

  private static String sha() throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(BODY));
  }

  private Process child(StandInServer server, Path log, long idleMillis) throws Exception {
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            ModelStoreChild.class.getName(),
            dir.resolve("models").toString(),
            server.url() + "/m.gguf",
            "m.gguf",
            String.valueOf(BODY.length),
            sha(),
            String.valueOf(idleMillis));
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    children.add(process);
    return process;
  }

  private static String read(Path log) {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return "";
    }
  }

  @Test
  void twoStoresOfOneProcessDownloadTheSameFileOnce() throws Exception {
    try (StandInServer server = StandInServer.start(this::holdFirst)) {
      ModelFile file = file(server);
      Path root = dir.resolve("models");
      Files.createDirectories(root);
      // The second store reaches the same folder under another spelling.
      Path link = Files.createSymbolicLink(dir.resolve("link"), root);
      ModelStore first = store(root, DiskSpace.ofFileStore());
      ModelStore second = store(link, DiskSpace.ofFileStore());
      // Each fetch asks its cancel flag between chunks (the downloader) or while it waits (the
      // other): once both have asked, both are in, and the download is still held.
      AtomicInteger askedA = new AtomicInteger();
      AtomicInteger askedB = new AtomicInteger();
      try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
        Future<Path> a =
            pool.submit(() -> first.fetch("m", file, () -> askedA.incrementAndGet() < 0));
        Future<Path> b =
            pool.submit(() -> second.fetch("m", file, () -> askedB.incrementAndGet() < 0));
        Awaitility.await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> requests.get() >= 1 && askedA.get() >= 1 && askedB.get() >= 1);
        release.countDown();

        assertThat(a.get(20, TimeUnit.SECONDS)).hasBinaryContent(BODY);
        assertThat(b.get(20, TimeUnit.SECONDS)).hasBinaryContent(BODY);
      }
      assertThat(ranges).containsExactly("null");
      assertThat(root.resolve("m")).isDirectoryNotContaining("glob:**.part");
    }
  }

  @Test
  void twoProcessesWantingTheSameFileDownloadItOnceAndBothUseIt() throws Exception {
    try (StandInServer server = StandInServer.start(this::holdFirst)) {
      Path logA = dir.resolve("a.log");
      Path logB = dir.resolve("b.log");
      Process a = child(server, logA, 10_000);
      Process b = child(server, logB, 10_000);
      // Whichever asked first holds the download; the other must be seen waiting for it.
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> (read(logA) + read(logB)).contains("waiting for it"));
      release.countDown();

      assertThat(a.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(b.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(a.exitValue()).as(read(logA)).isZero();
      assertThat(b.exitValue()).as(read(logB)).isZero();
      assertThat(read(logA)).contains("fetched ");
      assertThat(read(logB)).contains("fetched ");
      assertThat(ranges).containsExactly("null");
      assertThat(dir.resolve("models/m/m.gguf")).hasBinaryContent(BODY);
    }
  }

  @Test
  void holderKilledMidDownloadIsTakenOverAndResumedWithRange() throws Exception {
    try (StandInServer server =
        StandInServer.start(
            (exchange, self) -> {
              String range = exchange.getRequestHeaders().getFirst("Range");
              ranges.add(String.valueOf(range));
              if (requests.incrementAndGet() == 1) {
                self.stall(exchange, 200, BODY.length, Arrays.copyOf(BODY, 70_000));
              } else {
                serveFrom(exchange, range);
              }
            })) {
      Path part = dir.resolve("models/m/m.gguf.part");
      Process holder = child(server, dir.resolve("holder.log"), 60_000);
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> Files.exists(part) && Files.size(part) == 70_000);
      Path log = dir.resolve("taker.log");
      Process taker = child(server, log, 10_000);
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> read(log).contains("waiting for it"));

      holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

      assertThat(taker.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(taker.exitValue()).as(read(log)).isZero();
      assertThat(ranges).containsExactly("null", "bytes=70000-");
      assertThat(dir.resolve("models/m/m.gguf")).hasBinaryContent(BODY);
    }
  }

  @Test
  void spaceThatAnotherLiveDownloadClaimsIsNotFree() throws Exception {
    Process other = new ProcessBuilder("sleep", "60").start();
    children.add(other);
    try (StandInServer server = StandInServer.start(this::holdFirst)) {
      release.countDown();
      Path reservations = Files.createDirectories(dir.resolve("models/.reservations"));
      Files.writeString(
          reservations.resolve(other.pid() + "-0123456789abcdef"),
          Reservations.content(900_000, other.toHandle()));
      // 1 MB free, 900 000 bytes claimed: 220 000 (the file and 10 %) do not fit.
      ModelStore store = store(dir.resolve("models"), folder -> 1_000_000);

      assertThatThrownBy(() -> store.fetch("m", file(server), () -> false))
          .isInstanceOf(ExecutorException.class)
          .hasMessageContaining("not enough disk space for model m, file m.gguf")
          .hasMessageContaining("need 220000 bytes")
          .hasMessageContaining("1000000 bytes free")
          .hasMessageContaining("claim 900000 bytes")
          .hasMessageNotContaining("?");
      assertThat(requests).hasValue(0);
    }
  }

  @Test
  void reservationOfAProcessThatIsGoneIsIgnoredAndRemoved() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor(10, TimeUnit.SECONDS);
    try (StandInServer server = StandInServer.start(this::holdFirst)) {
      release.countDown();
      Path reservations = Files.createDirectories(dir.resolve("models/.reservations"));
      Path stale = reservations.resolve(gone.pid() + "-0123456789abcdef");
      Files.writeString(stale, "900000 0\n");
      ModelStore store = store(dir.resolve("models"), folder -> 1_000_000);

      assertThat(store.fetch("m", file(server), () -> false)).hasBinaryContent(BODY);
      assertThat(stale).doesNotExist();
      assertThat(reservations).isDirectoryNotContaining("glob:**-*");
    }
  }
}
