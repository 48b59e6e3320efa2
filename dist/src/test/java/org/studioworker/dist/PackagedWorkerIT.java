package org.studioworker.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.studioworker.protocol.LogEntry;
import org.studioworker.spi.ChatMessage;
import org.studioworker.spi.CliDefaults;
import org.studioworker.spi.EngineId;
import org.studioworker.spi.ModelSource;
import org.studioworker.spi.Task;

/** The packaged worker, installed by install.sh and run by its launcher, does a job and stops. */
final class PackagedWorkerIT {
  /** Start-up of the jlink runtime plus the session takes a few seconds on two cores. */
  private static final Duration WAIT = Duration.ofSeconds(30);

  static final ModelSource SYNTHETIC =
      new ModelSource(EngineId.SYNTHETIC, List.of(), CliDefaults.of(7.0, 20, 512, 512));

  @TempDir Path dir;

  @Test
  void archiveHoldsOnlyFilesAndFoldersSoTheUpdaterCanUnpackIt() throws Exception {
    Process tar =
        new ProcessBuilder("tar", "-tvzf", PackagedInstall.archive().toString())
            .redirectErrorStream(true)
            .start();
    String listing = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(tar.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(tar.exitValue()).isZero();

    assertThat(listing.lines().toList())
        .isNotEmpty()
        .allSatisfy(line -> assertThat(line).matches("^[-d].*"));
  }

  @Test
  void installedWorkerCompletesAJobAndExitsZeroOnSigterm() throws Exception {
    Path archive = PackagedInstall.archive();
    String version = PackagedInstall.version(archive);
    Path root = dir.resolve("root");
    PackagedInstall.install(archive, dir.resolve("unpacked"), root);
    assertThat(PackagedInstall.current(root)).isEqualTo(version);
    assertThat(root.resolve("versions").resolve(version).resolve("bin/studio-worker"))
        .isExecutable();

    try (DevStudio studio = DevStudio.start(DevStudio.Options.defaults())) {
      WorkerCredentials worker = studio.createWorker();
      Path config = PackagedInstall.writeConfig(dir, studio, worker, null);
      Path log = dir.resolve("worker.log");
      Process process = PackagedInstall.startRun(root, config, log, Map.of());
      try {
        studio.awaitConnected(worker.workerId(), WAIT);
        String jobId =
            studio.submitJob(
                "synthetic-llm",
                1.0,
                Task.Llm.of(List.of(new ChatMessage("user", "hello from the package"))),
                SYNTHETIC);
        studio.awaitJobStatus(jobId, JobStatus.COMPLETED, WAIT);

        process.destroy(); // SIGTERM to the launcher, which passes it on once

        assertThat(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS))
            .as("exited; output:%n%s", Files.readString(log))
            .isTrue();
        assertThat(process.exitValue()).as(Files.readString(log)).isZero();
        assertThat(studio.logs(worker.workerId()).stream().map(LogEntry::message))
            .anyMatch(line -> line.startsWith("received SIGTERM"));
      } finally {
        process.destroyForcibly();
      }
    }
  }

  /**
   * The first {@code run} of a version records the JDK's AOT cache into {@code state/aot} as it
   * exits (docs/performance.md); the next start maps it, and a verb that prints (here {@code
   * --version}) prints only its own output with the cache in use.
   */
  @Test
  void firstRunRecordsTheAotCacheAndTheNextStartMapsIt() throws Exception {
    Path archive = PackagedInstall.archive();
    String version = PackagedInstall.version(archive);
    Path root = dir.resolve("root");
    PackagedInstall.install(archive, dir.resolve("unpacked"), root);
    Path aot = root.resolve("state/aot");

    try (DevStudio studio = DevStudio.start(DevStudio.Options.defaults())) {
      WorkerCredentials worker = studio.createWorker();
      Path config = PackagedInstall.writeConfig(dir, studio, worker, null);
      runUntilConnectedThenStop(root, config, studio, worker, dir.resolve("first.log"));
      List<Path> caches = files(aot);
      assertThat(caches)
          .as(
              "one cache, no temporary file left; first run's output:%n%s",
              Files.readString(dir.resolve("first.log")))
          .singleElement()
          .satisfies(
              f ->
                  assertThat(f.getFileName().toString())
                      .matches(java.util.regex.Pattern.quote(version) + "-[0-9]+\\.aot"));

      // Another worker, so that waiting for its connection cannot see the first session's.
      WorkerCredentials next = studio.createWorker();
      Path nextConfig = PackagedInstall.writeConfig(dir, studio, next, null);
      Path second = dir.resolve("second.log");
      Process process = PackagedInstall.startRun(root, nextConfig, second, Map.of());
      try {
        studio.awaitConnected(next.workerId(), WAIT);
        ProcessHandle jvm =
            process
                .toHandle()
                .descendants()
                .filter(p -> p.info().command().map(c -> c.endsWith("/bin/java")).orElse(false))
                .findFirst()
                .orElseThrow();
        assertThat(Files.readString(Path.of("/proc/" + jvm.pid() + "/maps")))
            .as("the worker's JVM maps the cache")
            .contains(caches.get(0).getFileName().toString());
        process.destroy();
        assertThat(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(Files.readString(second)).isZero();
      } finally {
        process.destroyForcibly();
      }
      assertThat(files(aot)).isEqualTo(caches);
      assertThat(Files.readString(second)).doesNotContain("[aot]").doesNotContain("[cds]");
    }

    Process printVersion =
        new ProcessBuilder(root.resolve("current/bin/studio-worker").toString(), "--version")
            .redirectError(dir.resolve("version.err").toFile())
            .start();
    String out = new String(printVersion.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(printVersion.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(out).isEqualTo("studio-worker " + version + " (development build)\n");
    assertThat(Files.readString(dir.resolve("version.err"))).isEmpty();
  }

  private static void runUntilConnectedThenStop(
      Path root, Path config, DevStudio studio, WorkerCredentials worker, Path log)
      throws Exception {
    Process process = PackagedInstall.startRun(root, config, log, Map.of());
    try {
      studio.awaitConnected(worker.workerId(), WAIT);
      process.destroy();
      assertThat(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS))
          .as("exited; output:%n%s", Files.readString(log))
          .isTrue();
      assertThat(process.exitValue()).as(Files.readString(log)).isZero();
    } finally {
      process.destroyForcibly();
    }
  }

  /** Every entry of a folder, hidden ones included, sorted. */
  private static List<Path> files(Path folder) throws Exception {
    try (Stream<Path> entries = Files.list(folder)) {
      return entries.sorted().toList();
    }
  }
}
