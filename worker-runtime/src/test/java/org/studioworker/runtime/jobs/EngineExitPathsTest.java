package org.studioworker.runtime.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.devstudio.DevStudio;
import org.studioworker.devstudio.JobStatus;
import org.studioworker.devstudio.WireFrame;
import org.studioworker.devstudio.WorkerCredentials;
import org.studioworker.protocol.ErrorCode;
import org.studioworker.protocol.StudioFrame;
import org.studioworker.runtime.config.ConfigStore;
import org.studioworker.runtime.config.WorkerConfig;
import org.studioworker.runtime.daemon.ChildWorker;
import org.studioworker.runtime.daemon.ExitCodes;
import org.studioworker.spi.CliDefaults;
import org.studioworker.spi.EngineId;
import org.studioworker.spi.FileRole;
import org.studioworker.spi.ModelFile;
import org.studioworker.spi.ModelSource;
import org.studioworker.spi.Task;

/**
 * However a real worker process ends while an engine process runs for a job — a second SIGTERM, a
 * fatal error, an auth failure, reconnects exhausted, the job's socket dropping — that engine
 * process is gone afterwards, and the studio hears what the contract says.
 *
 * <p>The engine is sd-cpp with a stand-in {@code sd-cli} that writes its pid and sleeps.
 */
final class EngineExitPathsTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final byte[] WEIGHTS = "not really a diffusion model".getBytes();

  @TempDir Path dir;

  private ModelFileServer files;

  @org.junit.jupiter.api.AfterEach
  void stopFiles() {
    if (files != null) {
      files.close();
    }
  }

  @Test
  void secondSigtermFailsTheJobAtTheStudioBeforeExitAndStopsTheEngine() throws Exception {
    try (DevStudio studio = DevStudio.start(DevStudio.Options.defaults().withMaxAttempts(1))) {
      Running worker = startWithHangingJob(studio, null);

      worker.process().destroy(); // SIGTERM: drain
      await().atMost(WAIT).until(() -> worker.log().contains("received SIGTERM"));
      worker.process().destroy(); // SIGTERM again: fail the job and go

      assertThat(worker.process().waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(worker.process().exitValue()).as(worker.log()).isZero();
      assertThat(studio.framesFrom(worker.id()))
          .filteredOn(f -> f.type().equals("fail"))
          .singleElement()
          .extracting(WireFrame::text)
          .asString()
          .contains(worker.jobId())
          .contains("\"retryable\":true");
      assertEngineGone(worker);
    }
  }

  @Test
  void fatalErrorFromTheStudioStopsTheEngine() throws Exception {
    try (DevStudio studio = DevStudio.start()) {
      Running worker = startWithHangingJob(studio, null);

      studio.sendFrame(worker.id(), new StudioFrame.Error(ErrorCode.INTERNAL_ERROR, "boom"));

      assertExit(worker, ExitCodes.FAILURE);
      assertEngineGone(worker);
    }
  }

  @Test
  void authFailureStopsTheEngine() throws Exception {
    try (DevStudio studio = DevStudio.start()) {
      Running worker = startWithHangingJob(studio, null);

      studio.sendFrame(worker.id(), new StudioFrame.Error(ErrorCode.AUTH_FAILED, "token revoked"));

      assertExit(worker, ExitCodes.AUTH_FAILED);
      assertEngineGone(worker);
    }
  }

  @Test
  void reconnectsRunningOutStopsTheEngine() throws Exception {
    DevStudio studio = DevStudio.start();
    Running worker = startWithHangingJob(studio, 1);

    studio.close();

    assertExit(worker, ExitCodes.GAVE_UP);
    assertEngineGone(worker);
  }

  @Test
  void droppedSocketStopsItsJobsEngineAndTheWorkerServesTheRequeuedJob() throws Exception {
    try (DevStudio studio = DevStudio.start()) {
      Running worker = startWithHangingJob(studio, null);

      assertThat(studio.dropSession(worker.id())).isTrue();

      assertEngineGone(worker);
      // The slot is free again: the requeued job is offered anew and accepted on the new socket.
      await()
          .atMost(WAIT)
          .until(
              () ->
                  studio.framesFrom(worker.id()).stream()
                          .filter(f -> f.type().equals("accept"))
                          .count()
                      >= 2);
      assertThat(studio.framesFrom(worker.id()))
          .filteredOn(f -> f.type().equals("fail"))
          .as("nothing is reported for the job of the dropped socket")
          .isEmpty();
      worker.process().destroyForcibly();
    }
  }

  private record Running(Process process, Path logFile, Path pidFile, String id, String jobId) {
    String log() {
      try {
        return Files.exists(logFile) ? Files.readString(logFile) : "";
      } catch (java.io.IOException e) {
        return e.toString();
      }
    }

    long enginePid() throws Exception {
      return Long.parseLong(Files.readString(pidFile).strip());
    }
  }

  private Running startWithHangingJob(DevStudio studio, Integer reconnectAttempts)
      throws Exception {
    Path pidFile = dir.resolve("sd-cli.pid");
    SdCliStandIn machine =
        SdCliStandIn.create(
            dir,
            """
        #!/usr/bin/env bash
        echo $$ > '%s.tmp' && mv '%s.tmp' '%s'
        exec sleep 600
        """
                .formatted(pidFile, pidFile, pidFile));
    Path models = machine.models();

    WorkerCredentials credentials = studio.createWorker();
    Path config = dir.resolve("config.toml");
    new ConfigStore(config)
        .save(
            new WorkerConfig.Builder(
                    WorkerConfig.defaults()
                        .withApiBaseUrl(studio.baseUrl().toString())
                        .withModelsRoot(models.toString())
                        .withCredentials(credentials.workerId(), credentials.authToken()))
                .wsReconnectAttempts(reconnectAttempts)
                .build());
    Path log = dir.resolve("worker.log");
    Process process =
        ChildWorker.start(
            List.of(ChildWorker.testClassPathEntry("sd-cpp")),
            machine.env(),
            log,
            "--config",
            config.toString(),
            "run");
    studio.awaitConnected(credentials.workerId(), WAIT);
    files = new ModelFileServer("/weights.safetensors", WEIGHTS);
    ModelSource source =
        new ModelSource(
            EngineId.SD_CPP,
            List.of(
                new ModelFile(
                    FileRole.DIFFUSION_MODEL,
                    files.url(),
                    "weights.safetensors",
                    (long) WEIGHTS.length,
                    null)),
            CliDefaults.of(4.5, 8, 512, 512));
    String jobId =
        studio.submitJob(
            "tiny-diffusion",
            1.0,
            new Task.Image(
                "a red fox", null, null, null, null, null, null, null, 512, 512, 20, 7L, "png"),
            source);
    studio.awaitJobStatus(jobId, JobStatus.RUNNING, WAIT);
    await().atMost(WAIT).until(() -> Files.exists(pidFile));
    Running running = new Running(process, log, pidFile, credentials.workerId(), jobId);
    assertThat(ProcessHandle.of(running.enginePid()).map(ProcessHandle::isAlive)).hasValue(true);
    return running;
  }

  private static void assertExit(Running worker, int code) throws Exception {
    try {
      assertThat(worker.process().waitFor(WAIT.toSeconds(), TimeUnit.SECONDS))
          .as(worker.log())
          .isTrue();
      assertThat(worker.process().exitValue()).as(worker.log()).isEqualTo(code);
    } finally {
      worker.process().destroyForcibly();
    }
  }

  private static void assertEngineGone(Running worker) throws Exception {
    long pid = worker.enginePid();
    await()
        .atMost(WAIT)
        .alias("sd-cli (pid " + pid + ") is gone; worker log:\n" + worker.log())
        .until(() -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) == false);
  }
}
