package org.studioworker.runtime.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.runtime.config.ConfigStore;
import org.studioworker.runtime.config.WorkerConfig;

/**
 * SIGTERM reaches a worker whose studio accepts TCP and never answers: inside a registration call
 * and inside a WebSocket connect, the real process exits 0 well before the 15 s those calls may
 * take.
 */
final class StopWhileBlockedTest {
  /** Why 5 s? Far above the 250 ms stop check and the JVM's exit, far below the 15 s timeout. */
  private static final long EXIT_SECONDS = 5;

  @TempDir Path dir;

  private ServerSocket listener;
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();
  private final CountDownLatch connected = new CountDownLatch(1);

  @BeforeEach
  void listen() throws IOException {
    listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                while (true) {
                  accepted.add(listener.accept()); // and never a byte back
                  connected.countDown();
                }
              } catch (IOException e) {
                // Closed by the test.
              }
            });
  }

  @AfterEach
  void close() throws IOException {
    listener.close();
    for (Socket socket : accepted) {
      socket.close();
    }
  }

  @Test
  void sigtermInsideAStalledRegistrationCallExitsZero() throws Exception {
    WorkerConfig config =
        WorkerConfig.defaults()
            .withApiBaseUrl("http://127.0.0.1:" + listener.getLocalPort() + "/")
            .withModelsRoot(dir.resolve("models").toString());
    assertExitsZeroOnSigterm(config);
  }

  @Test
  void sigtermInsideAStalledWebSocketConnectExitsZero() throws Exception {
    WorkerConfig config =
        WorkerConfig.defaults()
            .withApiBaseUrl("http://127.0.0.1:" + listener.getLocalPort() + "/")
            .withModelsRoot(dir.resolve("models").toString())
            .withCredentials("w-1", "ab".repeat(32));
    assertExitsZeroOnSigterm(config);
  }

  private void assertExitsZeroOnSigterm(WorkerConfig config) throws Exception {
    Path path = dir.resolve("config.toml");
    new ConfigStore(path).save(config);
    Path log = dir.resolve("worker.log");
    Process process = ChildWorker.start(List.of(), log, "--config", path.toString(), "run");
    try {
      assertThat(connected.await(30, TimeUnit.SECONDS)).as("the worker connected").isTrue();

      process.destroy(); // SIGTERM

      assertThat(process.waitFor(EXIT_SECONDS, TimeUnit.SECONDS))
          .as("exited after SIGTERM; log:%n%s", Files.readString(log))
          .isTrue();
      assertThat(process.exitValue()).as(Files.readString(log)).isZero();
    } finally {
      process.destroyForcibly();
    }
  }
}
