package org.studioworker.runtime.localapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.devstudio.DevStudio;
import org.studioworker.devstudio.JobStatus;
import org.studioworker.devstudio.WorkerCredentials;
import org.studioworker.executors.synthetic.SyntheticExecutorProvider;
import org.studioworker.runtime.daemon.WorkerHarness;
import org.studioworker.spi.Task;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code GET /jobs/{id}} with the full prompt, for studio and local jobs, and the {@code gpus} of
 * {@code /daemon/status}, over the real local API of a daemon connected to the reference studio.
 */
final class JobDetailRouteTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir Path dir;

  private final DevStudio studio = DevStudio.start();
  private final WorkerCredentials worker = studio.createWorker();

  @AfterEach
  void stopStudio() {
    studio.close();
  }

  private WorkerHarness startWorker() throws Exception {
    WorkerHarness harness =
        WorkerHarness.start(
            WorkerHarness.writeConfig(dir, studio, worker),
            List.of(new SyntheticExecutorProvider()),
            WorkerHarness.FAST);
    studio.awaitConnected(worker.workerId(), WAIT);
    await().atMost(WAIT).until(() -> harness.daemon().localApiUrl().isPresent());
    return harness;
  }

  private static RawHttp.Answer get(WorkerHarness harness, String path) throws Exception {
    return RawHttp.request(
        harness.daemon().localApiUrl().orElseThrow(),
        "GET",
        path,
        Objects.requireNonNull(harness.savedConfig().localApiToken()),
        "");
  }

  @Test
  void aStudioJobAndALocalJobAnswerWithTheirFullPrompts() throws Exception {
    String studioPrompt = "a studio fox in the snow, ".repeat(40);
    String localPrompt = "a local fox by the river, ".repeat(40);
    try (WorkerHarness harness = startWorker()) {
      String studioJob =
          studio.submitJob(
              "synthetic-image", 1.0, Task.Image.of(studioPrompt), WorkerHarness.SYNTHETIC);
      studio.awaitJobStatus(studioJob, JobStatus.COMPLETED, WAIT);
      ObjectNode body = JSON.createObjectNode();
      body.put("prompt", localPrompt);
      body.put("width", 64);
      body.put("height", 64);
      URI base = harness.daemon().localApiUrl().orElseThrow();
      String token = Objects.requireNonNull(harness.savedConfig().localApiToken());
      // The studio has the result a moment before the worker releases the job gate: 503 until then.
      await()
          .atMost(WAIT)
          .until(
              () ->
                  RawHttp.request(base, "POST", "/image", token, body.toString()).status() == 200);
      await()
          .atMost(WAIT)
          .until(
              () -> {
                JsonNode status = JSON.readTree(get(harness, "/daemon/status").body());
                return status.get("recentJobs").size() == 1 && status.get("localJobs").size() == 1;
              });
      JsonNode status = JSON.readTree(get(harness, "/daemon/status").body());
      JsonNode listedStudio = status.get("recentJobs").get(0);
      JsonNode listedLocal = status.get("localJobs").get(0);
      assertThat(listedStudio.get("prompt").asString()).hasSizeLessThan(studioPrompt.length());

      RawHttp.Answer studioAnswer = get(harness, "/jobs/" + studioJob);
      RawHttp.Answer localAnswer = get(harness, "/jobs/" + listedLocal.get("jobId").asString());

      assertThat(studioAnswer.status()).isEqualTo(200);
      assertThat(localAnswer.status()).isEqualTo(200);
      JsonNode studioDetail = JSON.readTree(studioAnswer.body());
      JsonNode localDetail = JSON.readTree(localAnswer.body());
      assertThat(studioDetail.get("prompt").asString()).isEqualTo(studioPrompt);
      assertThat(localDetail.get("prompt").asString()).isEqualTo(localPrompt);
      assertThat(studioDetail.get("source").asString()).isEqualTo("studio");
      assertThat(localDetail.get("source").asString()).isEqualTo("local");
      // The same fields as in the lists, the prompt aside.
      assertThat(studioDetail.propertyNames())
          .containsExactlyElementsOf(listedStudio.propertyNames());
      ((ObjectNode) studioDetail).remove("prompt");
      ((ObjectNode) listedStudio).remove("prompt");
      assertThat(studioDetail).isEqualTo(listedStudio);
      // The prompt is never logged.
      assertThat(harness.logLines()).noneMatch(line -> line.contains("fox in the snow"));
    }
  }

  @Test
  void anUnknownJobIs404UnknownJob() throws Exception {
    try (WorkerHarness harness = startWorker()) {
      RawHttp.Answer answer = get(harness, "/jobs/no-such-job");

      assertThat(answer.status()).isEqualTo(404);
      JsonNode error = JSON.readTree(answer.body());
      assertThat(error.get("error").asString()).isEqualTo("unknown_job");
      assertThat(error.get("message").asString()).isEqualTo("no job no-such-job");
      assertThat(get(harness, "/jobs/no-such-job/log").status()).isEqualTo(404);
      RawHttp.Answer notAnId = get(harness, "/jobs/" + "x".repeat(129));
      assertThat(notAnId.status()).isEqualTo(404);
      assertThat(JSON.readTree(notAnId.body()).get("message").asString()).isEqualTo("not a job id");
    }
  }

  @Test
  void theStatusListsTheGpusWithTheirMemory() throws Exception {
    try (WorkerHarness harness = startWorker()) {
      JsonNode status = JSON.readTree(get(harness, "/daemon/status").body());

      JsonNode gpus = status.get("gpus");
      assertThat(gpus.isArray()).isTrue();
      // As many as the daemon advertises VRAM for: none on a machine without a GPU.
      assertThat(gpus.isEmpty()).isEqualTo(status.get("vramTotalGb").asDouble() == 0);
      long total = 0;
      for (JsonNode gpu : gpus) {
        assertThat(gpu.propertyNames())
            .containsExactly("index", "name", "memoryTotalBytes", "memoryFreeBytes");
        assertThat(gpu.get("memoryTotalBytes").asLong()).isPositive();
        total += gpu.get("memoryTotalBytes").asLong();
      }
      assertThat(total / (1024.0 * 1024 * 1024))
          .isCloseTo(
              status.get("vramTotalGb").asDouble(), org.assertj.core.data.Offset.offset(0.01));
    }
  }
}
