package org.studioworker.runtime.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.devstudio.DevStudio;
import org.studioworker.devstudio.JobSnapshot;
import org.studioworker.devstudio.JobStatus;
import org.studioworker.devstudio.WireFrame;
import org.studioworker.devstudio.WorkerCredentials;
import org.studioworker.runtime.daemon.WorkerHarness;
import org.studioworker.spi.ChatMessage;
import org.studioworker.spi.CliDefaults;
import org.studioworker.spi.EngineId;
import org.studioworker.spi.ModelSource;
import org.studioworker.spi.Task;

final class JobsTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;

  private final DevStudio studio = DevStudio.start();
  private final WorkerCredentials worker = studio.createWorker();

  @AfterEach
  void stopStudio() {
    studio.close();
  }

  private WorkerHarness startWorker() throws Exception {
    WorkerHarness harness = WorkerHarness.start(WorkerHarness.writeConfig(dir, studio, worker));
    studio.awaitConnected(worker.workerId(), WAIT);
    return harness;
  }

  private JobSnapshot awaitFinal(String jobId) {
    return studio.awaitJob(
        jobId, s -> s.status() == JobStatus.COMPLETED || s.status() == JobStatus.FAILED, WAIT);
  }

  @Test
  void jsonResultCarriesTheFullPromptNotThePreview() throws Exception {
    String longPrompt = "Describe the lighthouse. ".repeat(20);
    try (WorkerHarness harness = startWorker()) {
      String jobId =
          studio.submitJob(
              "synthetic-llm",
              1.0,
              Task.Llm.of(List.of(new ChatMessage("user", longPrompt))),
              WorkerHarness.SYNTHETIC);

      JobSnapshot done = awaitFinal(jobId);

      assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(done.prompt()).isEqualTo(longPrompt);
      assertThat(done.result()).isNotNull();
      assertThat(done.result().json()).contains("chat.completion");
      // The board records the job just after the studio has its result.
      await().atMost(WAIT).until(() -> !harness.daemon().board().recentJobs().isEmpty());
      assertThat(harness.daemon().board().recentJobs().getFirst().outcome()).isEqualTo("completed");
    }
  }

  @Test
  void binaryResultIsUploadedWithItsExtension() throws Exception {
    try (WorkerHarness harness = startWorker()) {
      String jobId =
          studio.submitJob(
              "synthetic-audio_tts", 1.0, Task.AudioTts.of("hello"), WorkerHarness.SYNTHETIC);

      JobSnapshot done = awaitFinal(jobId);

      assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(done.ext()).isEqualTo("wav");
      assertThat(done.prompt()).isEqualTo("hello");
      byte[] bytes = studio.result(jobId).orElseThrow().bytes();
      assertThat(new String(bytes, 0, 4, java.nio.charset.StandardCharsets.US_ASCII))
          .isEqualTo("RIFF");
    }
  }

  @Test
  void uploadIsRetriedTwiceOnServerErrors() throws Exception {
    try (WorkerHarness harness = startWorker()) {
      studio.failNextCompletes(2);
      String jobId =
          studio.submitJob("synthetic-image", 1.0, smallImage(), WorkerHarness.SYNTHETIC);

      JobSnapshot done = awaitFinal(jobId);

      assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(done.attempts()).as("failed attempts").isZero();
      assertThat(studio.completesReceived()).isEqualTo(3);
    }
  }

  @Test
  void uploadIsNotRetriedOnAClientErrorAndTheJobFailsAsRetryable() throws Exception {
    try (WorkerHarness harness = startWorker()) {
      studio.rejectNextCompletes(1);
      String jobId =
          studio.submitJob("synthetic-image", 1.0, smallImage(), WorkerHarness.SYNTHETIC);

      WireFrame fail = studio.awaitFrame(worker.workerId(), f -> f.type().equals("fail"), WAIT);

      assertThat(fail.text()).contains("\"retryable\":true").contains(jobId);
      assertThat(studio.completesReceived()).isGreaterThanOrEqualTo(1);
      // The studio requeues the retryable failure; the next attempt's upload goes through.
      JobSnapshot done = awaitFinal(jobId);
      assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(done.attempts()).as("failed attempts").isEqualTo(1);
      assertThat(studio.completesReceived()).isEqualTo(2);
    }
  }

  @Test
  void jobForAnEngineThatIsNotInstalledFailsAsNotRetryable() throws Exception {
    try (WorkerHarness harness = startWorker()) {
      ModelSource comfy =
          new ModelSource(new EngineId("comfy"), List.of(), CliDefaults.of(7, 20, 512, 512));
      String jobId = studio.submitJob("synthetic-image", 1.0, smallImage(), comfy);

      JobSnapshot done = awaitFinal(jobId);

      assertThat(done.status()).isEqualTo(JobStatus.FAILED);
      assertThat(done.error()).contains("engine comfy is not installed");
      assertThat(studio.framesFrom(worker.workerId()))
          .filteredOn(f -> f.type().equals("fail"))
          .singleElement()
          .satisfies(f -> assertThat(f.text()).contains("\"retryable\":false"));
    }
  }

  @Test
  void pausedWorkerRejectsOffersWithThePausedCode() throws Exception {
    try (WorkerHarness harness = startWorker()) {
      harness.daemon().board().paused(true);
      // Offered while the studio still believes the worker claims: the worker says no.
      String jobId =
          studio.submitJob("synthetic-image", 1.0, smallImage(), WorkerHarness.SYNTHETIC);

      await()
          .atMost(WAIT)
          .until(
              () ->
                  studio.framesFrom(worker.workerId()).stream()
                          .anyMatch(
                              f -> f.type().equals("reject") && f.text().contains("\"paused\""))
                      || studio.framesFrom(worker.workerId()).stream()
                          .anyMatch(
                              f ->
                                  f.type().equals("heartbeat")
                                      && f.text().contains("\"autoEnabled\":false")));
      assertThat(studio.job(jobId).orElseThrow().status()).isNotEqualTo(JobStatus.COMPLETED);

      harness.daemon().board().paused(false);
      assertThat(awaitFinal(jobId).status()).isEqualTo(JobStatus.COMPLETED);
    }
  }

  @Test
  void offerArrivingRightAfterAnUploadIsNotRejectedAsBusy() throws Exception {
    try (WorkerHarness harness = startWorker()) {
      List<String> jobs = new java.util.ArrayList<>();
      for (int i = 0; i < 4; i++) {
        jobs.add(studio.submitJob("synthetic-image", 1.0, smallImage(), WorkerHarness.SYNTHETIC));
      }

      for (String jobId : jobs) {
        assertThat(awaitFinal(jobId).status()).isEqualTo(JobStatus.COMPLETED);
      }
      assertThat(studio.framesFrom(worker.workerId()))
          .noneMatch(f -> f.type().equals("reject") && f.text().contains("\"busy\""));
    }
  }

  private static Task.Image smallImage() {
    return new Task.Image(
        "a small test card", null, null, null, null, null, null, null, 32, 32, 20, 1L, "webp");
  }
}
