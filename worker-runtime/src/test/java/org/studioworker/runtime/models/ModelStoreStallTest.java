package org.studioworker.runtime.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.runtime.http.StandInServer;
import org.studioworker.runtime.http.StudioHttp;
import org.studioworker.runtime.status.Traffic;
import org.studioworker.spi.ExecutorException;
import org.studioworker.spi.FileRole;
import org.studioworker.spi.ModelFile;

/**
 * Model downloads from servers that are not well behaved: one that stalls mid-body (the download
 * gives up, keeps its {@code .part} and resumes next time) and one that refuses upgrade requests.
 */
final class ModelStoreStallTest {
  private static final byte[] BODY = body();

  @TempDir Path dir;

  private static byte[] body() {
    byte[] bytes = new byte[200_000];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (i * 31 + 7);
    }
    return bytes;
  }

  private ModelStore store(Duration idle) {
    return new ModelStore(
        dir.resolve("models"),
        StudioHttp.client(Duration.ofSeconds(5)),
        InstantSource.system(),
        Duration.ofSeconds(5),
        idle,
        new Traffic());
  }

  private static ModelFile file(StandInServer server) throws Exception {
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(BODY));
    return new ModelFile(
        FileRole.MODEL, server.url() + "/m.gguf", "m.gguf", (long) BODY.length, sha);
  }

  @Test
  void downloadThatStallsIsGivenUpKeepsItsPartAndResumesWithRange() throws Exception {
    AtomicInteger requests = new AtomicInteger();
    List<String> ranges = new CopyOnWriteArrayList<>();
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
      ModelStore store = store(Duration.ofMillis(300));
      ModelFile file = file(server);

      assertThatThrownBy(() -> store.fetch("m", file, () -> false))
          .isInstanceOf(ExecutorException.class)
          .hasMessageContaining("no data from the server for")
          .hasMessageContaining("the partial file is kept for a resume");
      Path part = dir.resolve("models/m/m.gguf.part");
      assertThat(part).exists();
      long kept = Files.size(part);
      assertThat(kept).isPositive();

      Path done = store.fetch("m", file, () -> false);

      assertThat(done).hasBinaryContent(BODY);
      assertThat(ranges).containsExactly("null", "bytes=" + kept + "-");
      assertThat(server.upgradesRefused()).isEmpty();
    }
  }

  @Test
  void downloadIsCancelledPromptlyByAnInterruptWhileTheServerStalls() throws Exception {
    try (StandInServer server =
        StandInServer.start(
            (exchange, self) -> self.stall(exchange, 200, BODY.length, Arrays.copyOf(BODY, 10)))) {
      ModelStore store = store(Duration.ofMinutes(5));
      ModelFile file = file(server);
      Thread caller = Thread.currentThread();
      Thread.ofVirtual()
          .start(
              () -> {
                try {
                  // Interrupt once the download has begun and is waiting for bytes.
                  org.awaitility.Awaitility.await()
                      .atMost(Duration.ofSeconds(10))
                      .until(() -> Files.exists(dir.resolve("models/m/m.gguf.part")));
                } finally {
                  caller.interrupt();
                }
              });

      assertThatThrownBy(() -> store.fetch("m", file, () -> false))
          .isInstanceOf(InterruptedException.class);
      Thread.interrupted();
    }
  }

  private static void serveFrom(HttpExchange exchange, String range) throws java.io.IOException {
    int from = range == null ? 0 : Integer.parseInt(range.replace("bytes=", "").replace("-", ""));
    if (from > 0) {
      exchange
          .getResponseHeaders()
          .set("Content-Range", "bytes " + from + "-" + (BODY.length - 1) + "/" + BODY.length);
    }
    exchange.sendResponseHeaders(from > 0 ? 206 : 200, BODY.length - from);
    exchange.getResponseBody().write(BODY, from, BODY.length - from);
  }
}
