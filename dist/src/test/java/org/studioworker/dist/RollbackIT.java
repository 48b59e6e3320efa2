package org.studioworker.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
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
 * The launcher's rollback, end to end: the feed offers a newer build, correctly signed, that is
 * broken in a chosen way. The launcher must put the old version back, refuse the new one for good,
 * and the old version must reconnect and carry on working.
 */
final class RollbackIT {
  /** Two start-ups of the jlink runtime, a download of ~36 MB and an unpack, on two cores. */
  private static final Duration WAIT = Duration.ofSeconds(45);

  /**
   * Update checks every second. The crashing build exits at once, so the probation deadline is
   * never what decides; 20 s only bounds the test if it hung instead.
   */
  private static final Map<String, String> FAST_UPDATES =
      Map.of("STUDIO_WORKER_UPDATE_TICK_SECS", "1", "STUDIO_WORKER_PROBATION_SECS", "20");

  /**
   * For a build that runs but never reaches the studio, the deadline is what decides: long enough
   * for its JVM to start and its update loop to run a few times (which, were start-up marked at
   * boot, would end the probation), short enough for a quick test.
   */
  private static final int UNREACHABLE_PROBATION_SECS = 15;

  /** Feed checks after the rollback that must all leave the refused build alone. */
  private static final int CHECKS_AFTER_ROLLBACK = 3;

  @TempDir Path dir;

  @Test
  void newerBuildThatCrashesAtStartIsRolledBackRefusedAndNotRetried() throws Exception {
    rollBack(
        RollbackIT::truncateRuntimeJar,
        FAST_UPDATES,
        WAIT,
        run -> {
          // Exit 1: the JVM could not read the module, not the probation deadline (which stops it).
          assertThat(Files.readString(run.log()))
              .contains("restarting into " + run.newVersion())
              .contains(
                  "rolling back from " + run.newVersion() + " (exit 1) to " + run.oldVersion());

          // More checks of the feed, each of which skips the refused build.
          int checksSoFar = run.feed().requests("/feed.json");
          await()
              .atMost(WAIT)
              .until(
                  () -> run.feed().requests("/feed.json") >= checksSoFar + CHECKS_AFTER_ROLLBACK);
          await()
              .atMost(WAIT)
              .untilAsserted(
                  () ->
                      assertThat(
                              run.studio().logs(run.worker().workerId()).stream()
                                  .map(LogEntry::message))
                          .anyMatch(
                              line -> line.contains(run.newVersion() + " was rolled back here")));
          assertThat(run.feed().requests(run.download()))
              .as("downloads of the broken build")
              .isEqualTo(1);
          String output = Files.readString(run.log());
          assertThat(output.split("restarting into " + run.newVersion(), -1))
              .as("restarts into the refused build; output:%n%s", output)
              .hasSize(2);
        });
  }

  @Test
  void newerBuildThatRunsButNeverReachesTheStudioIsRolledBackAtTheProbationDeadline()
      throws Exception {
    Path deadConfig = dir.resolve("config-dead-studio.toml");
    rollBack(
        build -> readConfigFrom(build, deadConfig),
        Map.of(
            "STUDIO_WORKER_UPDATE_TICK_SECS",
            "1",
            "STUDIO_WORKER_PROBATION_SECS",
            Integer.toString(UNREACHABLE_PROBATION_SECS)),
        WAIT.plusSeconds(UNREACHABLE_PROBATION_SECS),
        run -> {
          // It ran until the deadline: stopped by the launcher, not crashed.
          assertThat(Files.readString(run.log()))
              .contains("starting " + run.newVersion() + " on probation")
              .contains(
                  run.newVersion()
                      + " did not start up within "
                      + UNREACHABLE_PROBATION_SECS
                      + " s; stopping it");
        },
        (studio, config) -> {
          int dead;
          try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = socket.getLocalPort();
          }
          String live = "api_base_url = \"" + studio.baseUrl() + "\"";
          assertThat(Files.readString(config)).contains(live);
          Files.writeString(
              deadConfig,
              Files.readString(config)
                  .replace(live, "api_base_url = \"http://127.0.0.1:" + dead + "\""),
              StandardCharsets.UTF_8);
        });
  }

  /** The state a test's own checks see once the old version is back. */
  private record Run(
      DevStudio studio,
      WorkerCredentials worker,
      FeedServer feed,
      Path log,
      String oldVersion,
      String newVersion,
      String download) {}

  @FunctionalInterface
  private interface Check {
    void check(Run run) throws Exception;
  }

  @FunctionalInterface
  private interface ConfigWritten {
    void accept(DevStudio studio, Path config) throws Exception;
  }

  private void rollBack(
      PackagedInstall.BuildEdit breakIt, Map<String, String> env, Duration rollbackWait, Check then)
      throws Exception {
    rollBack(breakIt, env, rollbackWait, then, (studio, config) -> {});
  }

  /**
   * Installs the packaged build, offers a newer copy broken by {@code breakIt}, runs the worker
   * until the launcher has rolled the newer one back and the old version is welcomed again, job
   * done, then runs {@code then} and stops the worker, which must exit cleanly.
   */
  private void rollBack(
      PackagedInstall.BuildEdit breakIt,
      Map<String, String> env,
      Duration rollbackWait,
      Check then,
      ConfigWritten configWritten)
      throws Exception {
    Path archive = PackagedInstall.archive();
    String oldVersion = PackagedInstall.version(archive);
    String newVersion = PackagedInstall.nextMinor(oldVersion);
    Path root = dir.resolve("root");
    PackagedInstall.install(archive, dir.resolve("unpacked"), root);

    Path original = PackagedInstall.unpack(archive, dir.resolve("original"));
    Path out = Files.createDirectories(dir.resolve("feed"));
    Path broken = PackagedInstall.repackage(original, newVersion, out, breakIt);
    PackagedInstall.sign(broken, PackagedInstall.readKey(PackagedInstall.signingKey()));
    String download = "/download/" + broken.getFileName();

    try (FeedServer feed = FeedServer.start(newVersion, broken);
        DevStudio studio = DevStudio.start(DevStudio.Options.defaults())) {
      WorkerCredentials worker = studio.createWorker();
      Path config = PackagedInstall.writeConfig(dir, studio, worker, feed.feedUrl());
      configWritten.accept(studio, config);
      Path log = dir.resolve("worker.log");
      Process process = PackagedInstall.startRun(root, config, log, env);
      try {
        WorkerSnapshot first = studio.awaitConnected(worker.workerId(), WAIT);

        await()
            .atMost(rollbackWait)
            .untilAsserted(
                () ->
                    assertThat(Files.readString(log))
                        .as("the launcher's output")
                        .contains("rolling back from " + newVersion));
        // The launcher says so first, then switches `current` and writes its state files.
        await()
            .atMost(WAIT)
            .untilAsserted(
                () -> {
                  assertThat(PackagedInstall.current(root)).isEqualTo(oldVersion);
                  assertThat(root.resolve("state/probation")).doesNotExist();
                });
        assertThat(Files.readAllLines(root.resolve("state/refused"))).containsExactly(newVersion);

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

        then.check(new Run(studio, worker, feed, log, oldVersion, newVersion, download));
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

  /**
   * Makes the build's JVM read {@code config} instead of the config it is given, as a build that
   * carries a wrong studio address would: {@code runtime/bin/java} becomes a wrapper that swaps the
   * argument after {@code --config} and runs the real binary. The build starts and runs; it just
   * never reaches the studio.
   */
  private static void readConfigFrom(Path build, Path config) throws Exception {
    Path java = build.resolve("runtime/bin/java");
    Files.move(java, java.resolveSibling("java.real"));
    Files.writeString(
        java,
        """
        #!/usr/bin/env bash
        args=()
        swap=0
        for arg in "$@"; do
          if [ "$swap" = 1 ]; then arg='%s'; fi
          swap=0
          if [ "$arg" = --config ]; then swap=1; fi
          args+=("$arg")
        done
        exec "$(dirname "$0")/java.real" "${args[@]}"
        """
            .formatted(config),
        StandardCharsets.US_ASCII);
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
