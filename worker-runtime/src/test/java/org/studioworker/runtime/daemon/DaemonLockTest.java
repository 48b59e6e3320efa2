package org.studioworker.runtime.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.devstudio.DevStudio;
import org.studioworker.devstudio.WorkerCredentials;

/**
 * One daemon per config directory, and it follows its config file: a second {@code run} leaves the
 * first on the studio and exits 0; {@code set-threshold} reaches the running one.
 */
final class DaemonLockTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  /** {@code studio-worker --config <config> run} as a real process with the synthetic engine. */
  private Process run(Path config, String log) throws Exception {
    return ChildWorker.start(
        List.of(ChildWorker.testClassPathEntry("synthetic")),
        dir.resolve(log),
        "--config",
        config.toString(),
        "run");
  }

  @Test
  void secondRunOnTheSameConfigExitsZeroAndLeavesTheFirstConnected() throws Exception {
    try (DevStudio studio = DevStudio.start()) {
      WorkerCredentials worker = studio.createWorker();
      Path config = WorkerHarness.writeConfig(dir, studio, worker);
      Process first = run(config, "first.log");
      try {
        studio.awaitConnected(worker.workerId(), WAIT);
        assertThat(dir.resolve("daemon.pid")).hasContent(String.valueOf(first.pid()));

        Process second = run(config, "second.log");

        assertThat(second.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        String output = Files.readString(dir.resolve("second.log"));
        assertThat(second.exitValue()).as(output).isZero();
        assertThat(output)
            .contains(
                "another daemon is already running for this config (pid " + first.pid() + ")");
        assertThat(first.isAlive()).isTrue();
        assertThat(studio.connectedWorkers())
            .singleElement()
            .satisfies(w -> assertThat(w.workerId()).isEqualTo(worker.workerId()));
        assertThat(studio.frames(worker.workerId()))
            .noneMatch(f -> f.text().contains("duplicate_worker"));
      } finally {
        first.destroy();
        assertThat(first.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        first.destroyForcibly();
      }
      assertThat(first.exitValue()).isZero();
      assertThat(dir.resolve("daemon.pid")).doesNotExist();
    }
  }

  @Test
  void aDaemonInTheSameJvmIsSeenToo() throws Exception {
    try (DevStudio studio = DevStudio.start()) {
      WorkerCredentials worker = studio.createWorker();
      Path config = WorkerHarness.writeConfig(dir, studio, worker);
      try (WorkerHarness first = WorkerHarness.start(config)) {
        studio.awaitConnected(worker.workerId(), WAIT);
        try (WorkerHarness second = WorkerHarness.start(config)) {
          assertThat(second.awaitExit(WAIT)).isEqualTo(ExitCodes.OK);
          assertThat(second.logLines())
              .anyMatch(l -> l.startsWith("another daemon is already running for this config"));
        }
        assertThat(first.hasExited()).isFalse();
        // The second daemon's try must not have freed the first one's lock for other processes.
        assertThat(heldForOtherProcesses(dir.resolve("daemon.lock"))).isTrue();
      }
    }
  }

  @Test
  void setThresholdReachesTheRunningWorkerWithinAHeartbeat() throws Exception {
    try (DevStudio studio = DevStudio.start()) {
      WorkerCredentials worker = studio.createWorker();
      Path config = WorkerHarness.writeConfig(dir, studio, worker);
      Process daemon = run(config, "worker.log");
      try {
        studio.awaitConnected(worker.workerId(), WAIT);

        Process command =
            ChildWorker.start(
                List.of(),
                dir.resolve("set.log"),
                "--config",
                config.toString(),
                "set-threshold",
                "8");
        assertThat(command.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(command.exitValue()).as(Files.readString(dir.resolve("set.log"))).isZero();

        studio.awaitFrame(
            worker.workerId(),
            f -> f.type().equals("heartbeat") && f.text().contains("\"vramThresholdGb\":8.0"),
            WAIT);
        org.awaitility.Awaitility.await()
            .atMost(WAIT)
            .until(
                () ->
                    Files.readString(dir.resolve("worker.log"))
                        .contains("changed: vram_threshold_gb 12.0 -> 8.0"));
      } finally {
        daemon.destroy();
        daemon.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);
        daemon.destroyForcibly();
      }
    }
  }

  /** Whether another process (python's {@code fcntl.lockf}, the same POSIX lock) finds it held. */
  private static boolean heldForOtherProcesses(Path lockFile) throws Exception {
    Process probe =
        new ProcessBuilder(
                "python3",
                "-c",
                "import fcntl,sys\n"
                    + "f=open(sys.argv[1],'a')\n"
                    + "try:\n fcntl.lockf(f,fcntl.LOCK_EX|fcntl.LOCK_NB)\nexcept OSError:\n"
                    + " sys.exit(3)\n",
                lockFile.toString())
            .redirectErrorStream(true)
            .start();
    assertThat(probe.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    return probe.exitValue() == 3;
  }
}
