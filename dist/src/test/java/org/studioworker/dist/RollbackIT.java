package org.studioworker.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.devstudio.DevStudio;
import org.studioworker.devstudio.JobStatus;
import org.studioworker.devstudio.WorkerCredentials;
import org.studioworker.devstudio.WorkerSnapshot;
import org.studioworker.protocol.LogEntry;
import org.studioworker.spi.ChatMessage;
import org.studioworker.spi.Task;

/**
 * The launcher's rollback, end to end: the feed offers a newer build, correctly signed, whose
 * worker-runtime jar is truncated, so that its JVM fails to resolve the boot layer and exits before
 * {@code welcome}. The launcher must put the old version back, refuse the new one for good, and the
 * old version must carry on working.
 */
final class RollbackIT {
  /** Two start-ups of the jlink runtime, a download of ~36 MB and an unpack, on two cores. */
  private static final Duration WAIT = Duration.ofSeconds(45);

  /**
   * Update checks every second. The broken build exits at once, so the probation deadline is never
   * what decides; 20 s only bounds the test if it hung instead.
   */
  private static final Map<String, String> FAST_UPDATES =
      Map.of("STUDIO_WORKER_UPDATE_TICK_SECS", "1", "STUDIO_WORKER_PROBATION_SECS", "20");

  /** Feed checks after the rollback that must all leave the refused build alone. */
  private static final int CHECKS_AFTER_ROLLBACK = 3;

  @TempDir Path dir;

  @Test
  void newerBuildThatCrashesAtStartIsRolledBackRefusedAndNotRetried() throws Exception {
    Path archive = PackagedInstall.archive();
    String oldVersion = PackagedInstall.version(archive);
    String newVersion = PackagedInstall.nextMinor(oldVersion);
    Path root = dir.resolve("root");
    PackagedInstall.install(archive, dir.resolve("unpacked"), root);

    Path original = PackagedInstall.unpack(archive, dir.resolve("original"));
    Path out = Files.createDirectories(dir.resolve("feed"));
    Path broken =
        PackagedInstall.repackage(original, newVersion, out, RollbackIT::truncateRuntimeJar);
    PackagedInstall.sign(broken, PackagedInstall.readKey(PackagedInstall.signingKey()));
    String download = "/download/" + broken.getFileName();

    try (FeedServer feed = FeedServer.start(newVersion, broken);
        DevStudio studio = DevStudio.start(DevStudio.Options.defaults())) {
      WorkerCredentials worker = studio.createWorker();
      Path config = PackagedInstall.writeConfig(dir, studio, worker, feed.feedUrl());
      Path log = dir.resolve("worker.log");
      Process process = PackagedInstall.startRun(root, config, log, FAST_UPDATES);
      try {
        WorkerSnapshot first = studio.awaitConnected(worker.workerId(), WAIT);

        await()
            .atMost(WAIT)
            .untilAsserted(
                () ->
                    assertThat(Files.readString(log)).contains("rolling back from " + newVersion));
        // Exit 1: the JVM could not read the module, not the probation deadline (which stops it).
        assertThat(Files.readString(log))
            .contains("restarting into " + newVersion)
            .contains("rolling back from " + newVersion + " (exit 1) to " + oldVersion);
        assertThat(PackagedInstall.current(root)).isEqualTo(oldVersion);
        assertThat(Files.readAllLines(root.resolve("state/refused"))).containsExactly(newVersion);
        assertThat(root.resolve("state/probation")).doesNotExist();

        // The old version is back: a new socket, welcomed, that completes a job.
        WorkerSnapshot back =
            await()
                .atMost(WAIT)
                .until(
                    () ->
                        studio.connectedWorkers().stream()
                            .filter(w -> w.workerId().equals(worker.workerId()))
                            .filter(w -> w.welcomed() && w.connection() > first.connection())
                            .findFirst()
                            .orElse(null),
                    snapshot -> snapshot != null);
        assertThat(back).isNotNull();
        await()
            .atMost(WAIT)
            .untilAsserted(
                () ->
                    assertThat(root.resolve("state/started"))
                        .content()
                        .isEqualTo(oldVersion + "\n"));
        String jobId =
            studio.submitJob(
                "synthetic-llm",
                1.0,
                Task.Llm.of(List.of(new ChatMessage("user", "after the rollback"))),
                PackagedWorkerIT.SYNTHETIC);
        studio.awaitJobStatus(jobId, JobStatus.COMPLETED, WAIT);

        // More checks of the feed, each of which skips the refused build.
        int checksSoFar = feed.requests("/feed.json");
        await()
            .atMost(WAIT)
            .until(() -> feed.requests("/feed.json") >= checksSoFar + CHECKS_AFTER_ROLLBACK);
        await()
            .atMost(WAIT)
            .untilAsserted(
                () ->
                    assertThat(studio.logs(worker.workerId()).stream().map(LogEntry::message))
                        .anyMatch(line -> line.contains(newVersion + " was rolled back here")));
        assertThat(feed.requests(download)).as("downloads of the broken build").isEqualTo(1);
        String output = Files.readString(log);
        assertThat(output.split("restarting into " + newVersion, -1))
            .as("restarts into the refused build; output:%n%s", output)
            .hasSize(2);
        assertThat(PackagedInstall.current(root)).isEqualTo(oldVersion);
        assertThat(process.isAlive()).isTrue();

        process.destroy();

        assertThat(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS))
            .as("exited; output:%n%s", Files.readString(log))
            .isTrue();
        assertThat(process.exitValue()).as(Files.readString(log)).isZero();
      } finally {
        process.destroyForcibly();
      }
    }
  }

  /**
   * Cuts the build's worker-runtime jar in half, as an interrupted copy would: the zip's central
   * directory is gone, so the JVM cannot read the module and exits with 1 before any of ours runs.
   */
  private static void truncateRuntimeJar(Path build) throws Exception {
    Path jar;
    try (Stream<Path> jars = Files.list(build.resolve("lib"))) {
      jar =
          jars.filter(j -> j.getFileName().toString().startsWith("worker-runtime-"))
              .findFirst()
              .orElseThrow();
    }
    try (FileChannel channel = FileChannel.open(jar, StandardOpenOption.WRITE)) {
      channel.truncate(channel.size() / 2);
    }
  }
}
