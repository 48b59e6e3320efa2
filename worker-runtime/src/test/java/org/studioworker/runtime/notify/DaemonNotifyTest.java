package org.studioworker.runtime.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.devstudio.DevStudio;
import org.studioworker.devstudio.WorkerCredentials;
import org.studioworker.runtime.daemon.ChildWorker;

/**
 * A real worker process under a stand-in for systemd: the test binds the notify socket itself and
 * reads what the daemon sends from welcome to stop.
 */
final class DaemonNotifyTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void readyAfterTheWelcomeWatchdogWhileAckedAndStoppingOnSigterm() throws Exception {
    try (DevStudio studio = DevStudio.start();
        NotifySocket socket =
            NotifySocket.abstractNamed("studio-worker-test-" + ProcessHandle.current().pid())) {
      WorkerCredentials worker = studio.createWorker();
      Path config = dir.resolve("config.toml");
      Files.writeString(
          config,
          "api_base_url = \""
              + studio.baseUrl()
              + "\"\nworker_id = \""
              + worker.workerId()
              + "\"\nauth_token = \""
              + worker.authToken()
              + "\"\nmodels_root = \""
              + dir.resolve("models")
              + "\"\n");
      Process process =
          ChildWorker.start(
              List.of(),
              Map.of(
                  "HOME",
                  dir.toString(),
                  "NOTIFY_SOCKET",
                  socket.address(),
                  // systemd's WatchdogSec=12: a ping every 6 s at most.
                  "WATCHDOG_USEC",
                  "12000000",
                  "STUDIO_WORKER_LOCAL_API_PORT",
                  "0"),
              dir.resolve("worker.log"),
              "--config",
              config.toString(),
              "run");
      List<String> received = new ArrayList<>();
      try {
        studio.awaitConnected(worker.workerId(), WAIT);
        Instant until = Instant.now().plus(WAIT);
        // Up to the first watchdog ping after READY.
        while (Instant.now().isBefore(until)
            && !String.join("\n", received).matches("(?s).*READY=1.*WATCHDOG=1.*")) {
          String datagram = socket.receive(Duration.ofSeconds(1));
          if (datagram != null) {
            received.add(datagram);
          }
        }
      } finally {
        process.destroy(); // SIGTERM
      }
      assertThat(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      String datagram;
      while ((datagram = socket.receive(Duration.ofMillis(500))) != null) {
        received.add(datagram);
      }
      String all = String.join("\n", received);

      assertThat(all)
          .contains("READY=1")
          .contains("STATUS=connected — ready for jobs")
          .doesNotContain("waiting for studio operator approval");
      assertThat(all.indexOf("READY=1")).isLessThan(all.indexOf("STOPPING=1"));
      assertThat(all).contains("WATCHDOG=1");
      assertThat(received.getLast()).contains("STOPPING=1");
      assertThat(process.exitValue()).isZero();
      assertThat(all).doesNotContain(worker.authToken());
      assertThat(Files.readString(dir.resolve("worker.log")))
          .doesNotContain("WARNING: A restricted method");
    }
  }
}
