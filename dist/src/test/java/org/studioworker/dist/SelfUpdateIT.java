package org.studioworker.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.devstudio.DevStudio;
import org.studioworker.devstudio.JobStatus;
import org.studioworker.devstudio.WireFrame;
import org.studioworker.devstudio.WorkerCredentials;
import org.studioworker.devstudio.WorkerSnapshot;
import org.studioworker.spi.ChatMessage;
import org.studioworker.spi.Task;

/**
 * The self-update of the installed product, end to end: a feed on loopback offers a newer build
 * (the packaged one, repackaged with a higher version and signed), the running worker installs it,
 * exits 75, and the launcher starts the new version, which reconnects.
 */
final class SelfUpdateIT {
  /** Two start-ups of the jlink runtime, a download of ~36 MB and an unpack, on two cores. */
  private static final Duration WAIT = Duration.ofSeconds(45);

  /** The update loop checks every second instead of every minute (docs/update.md). */
  private static final Map<String, String> FAST_UPDATES =
      Map.of("STUDIO_WORKER_UPDATE_TICK_SECS", "1");

  @TempDir Path dir;

  private Path archive;
  private String oldVersion;
  private String newVersion;
  private Path root;

  @BeforeEach
  void installOldVersion() throws Exception {
    archive = PackagedInstall.archive();
    oldVersion = PackagedInstall.version(archive);
    newVersion = PackagedInstall.nextMinor(oldVersion);
    root = dir.resolve("root");
    PackagedInstall.install(archive, dir.resolve("unpacked"), root);
  }

  @Test
  void installsASignedNewerBuildRestartsIntoItAndReconnects() throws Exception {
    Path newer = newerBuild();
    PackagedInstall.sign(newer, PackagedInstall.readKey(PackagedInstall.signingKey()));

    try (FeedServer feed = FeedServer.start(newVersion, newer);
        DevStudio studio = DevStudio.start(DevStudio.Options.defaults())) {
      WorkerCredentials worker = studio.createWorker();
      Path config = PackagedInstall.writeConfig(dir, studio, worker, feed.feedUrl());
      Path log = dir.resolve("worker.log");
      Process process = PackagedInstall.startRun(root, config, log, FAST_UPDATES);
      try {
        WorkerSnapshot first = studio.awaitConnected(worker.workerId(), WAIT);

        WireFrame hello;
        try {
          hello =
              studio.awaitFrame(
                  worker.workerId(),
                  frame ->
                      frame.direction() == WireFrame.Direction.RECEIVED
                          && frame.type().equals("hello")
                          && frame.connection() > first.connection(),
                  WAIT);
        } catch (IllegalStateException e) {
          throw new AssertionError(
              e.getMessage() + "; worker output:\n" + Files.readString(log), e);
        }

        assertThat(hello.connection()).isGreaterThan(first.connection());
        assertThat(PackagedInstall.current(root)).isEqualTo(newVersion);
        assertThat(root.resolve("versions").resolve(newVersion).resolve("bin/studio-worker"))
            .isExecutable();
        assertThat(
                Files.readString(root.resolve("versions").resolve(newVersion).resolve("VERSION")))
            .isEqualTo(newVersion + "\n");
        // The new version ends its probation once welcomed: it writes state/started.
        await()
            .atMost(WAIT)
            .untilAsserted(
                () ->
                    assertThat(root.resolve("state/started"))
                        .content()
                        .isEqualTo(newVersion + "\n"));
        assertThat(Files.readString(log)).contains("restarting into " + newVersion);
        // And it works: a job goes through the new version.
        String jobId =
            studio.submitJob(
                "synthetic-llm",
                1.0,
                Task.Llm.of(List.of(new ChatMessage("user", "after the update"))),
                PackagedWorkerIT.SYNTHETIC);
        studio.awaitJobStatus(jobId, JobStatus.COMPLETED, WAIT);

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

  @Test
  void refusesANewerBuildSignedByAnUntrustedKeyAndKeepsRunning() throws Exception {
    Path newer = newerBuild();
    KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
    PackagedInstall.sign(newer, generator.generateKeyPair().getPrivate());

    try (FeedServer feed = FeedServer.start(newVersion, newer);
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
                    assertThat(Files.readString(log))
                        .contains("update to " + newVersion + " refused"));

        assertThat(PackagedInstall.current(root)).isEqualTo(oldVersion);
        assertThat(root.resolve("versions").resolve(newVersion)).doesNotExist();
        assertThat(process.isAlive()).isTrue();
        assertThat(studio.awaitConnected(worker.workerId(), WAIT).connection())
            .isEqualTo(first.connection());
        String jobId =
            studio.submitJob(
                "synthetic-llm",
                1.0,
                Task.Llm.of(List.of(new ChatMessage("user", "still the old version"))),
                PackagedWorkerIT.SYNTHETIC);
        studio.awaitJobStatus(jobId, JobStatus.COMPLETED, WAIT);

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

  /** The packaged build as {@link #newVersion}, unsigned, in its own folder. */
  private Path newerBuild() throws Exception {
    Path original = PackagedInstall.unpack(archive, dir.resolve("original"));
    Path out = Files.createDirectories(dir.resolve("feed"));
    return PackagedInstall.repackage(original, newVersion, out);
  }
}
