package org.studioworker.runtime.localapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.devstudio.DevStudio;
import org.studioworker.devstudio.JobStatus;
import org.studioworker.devstudio.WireFrame;
import org.studioworker.devstudio.WorkerCredentials;
import org.studioworker.executors.synthetic.SyntheticExecutorProvider;
import org.studioworker.runtime.daemon.GatedEngine;
import org.studioworker.runtime.daemon.WorkerHarness;
import org.studioworker.spi.ChatMessage;
import org.studioworker.spi.Task;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Local jobs and studio jobs against each other, through one daemon connected to the reference
 * studio: they share the one job gate, so a local job while a studio job runs gets 503, a studio
 * offer while a local job runs is rejected {@code busy}, and run side by side they never overlap;
 * the session with the studio is never disturbed.
 */
final class LocalAndStudioJobsTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir Path dir;

  private final DevStudio studio = DevStudio.start();
  private final WorkerCredentials worker = studio.createWorker();
  private final GatedEngine gated = new GatedEngine();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @AfterEach
  void stopStudio() {
    studio.close();
  }

  private WorkerHarness startWorker() throws Exception {
    WorkerHarness harness =
        WorkerHarness.start(
            WorkerHarness.writeConfig(dir, studio, worker),
            List.of(new SyntheticExecutorProvider(), gated),
            WorkerHarness.FAST);
    studio.awaitConnected(worker.workerId(), WAIT);
    await().atMost(WAIT).until(() -> harness.daemon().localApiUrl().isPresent());
    return harness;
  }

  private HttpResponse<byte[]> post(WorkerHarness harness, String path, String json)
      throws Exception {
    URI base = harness.daemon().localApiUrl().orElseThrow();
    return http.send(
        HttpRequest.newBuilder(base.resolve(path))
            .header("Authorization", "Bearer " + harness.savedConfig().localApiToken())
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private JsonNode status(WorkerHarness harness) throws Exception {
    URI base = harness.daemon().localApiUrl().orElseThrow();
    HttpResponse<String> answer =
        http.send(
            HttpRequest.newBuilder(base.resolve("/daemon/status"))
                .header("Authorization", "Bearer " + harness.savedConfig().localApiToken())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).isEqualTo(200);
    return JSON.readTree(answer.body());
  }

  private static final String IMAGE = "{\"prompt\":\"a local fox\",\"width\":64,\"height\":64}";

  @Test
  void aLocalJobWhileAStudioJobRunsGets503AndTheStudioJobFinishes() throws Exception {
    try (WorkerHarness harness = startWorker()) {
      String studioJob =
          studio.submitJob(
              "gated-model",
              1.0,
              Task.Llm.of(List.of(new ChatMessage("user", "hold the gate"))),
              GatedEngine.SOURCE);
      assertThat(gated.awaitStarted(20)).isTrue();

      HttpResponse<byte[]> busy = post(harness, "/image", IMAGE);

      assertThat(busy.statusCode()).isEqualTo(503);
      assertThat(busy.headers().firstValue("Retry-After")).contains("2");
      assertThat(new String(busy.body()))
          .isEqualTo("worker is busy with another job (studio or local); retry shortly");
      gated.open();
      studio.awaitJobStatus(studioJob, JobStatus.COMPLETED, WAIT);
      HttpResponse<byte[]> done = post(harness, "/image", IMAGE);
      assertThat(done.statusCode()).isEqualTo(200);
      assertThat(done.headers().firstValue("Content-Type")).contains("image/webp");
      assertThat(new String(done.body(), 0, 4)).isEqualTo("RIFF");
      // One connection all along: the local jobs never disturbed the session.
      assertThat(studio.frames(worker.workerId()).stream().map(WireFrame::connection).distinct())
          .containsExactly(1);
    }
  }

  @Test
  void aStudioOfferWhileALocalJobRunsIsRejectedBusyAndRunsAfterIt() throws Exception {
    try (WorkerHarness harness = startWorker()) {
      CompletableFuture<HttpResponse<byte[]>> local =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return post(
                      harness,
                      "/v1/chat/completions",
                      "{\"model\":\"gated-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      assertThat(gated.awaitStarted(20)).isTrue();

      String studioJob =
          studio.submitJob(
              "synthetic-image", 1.0, Task.Image.of("a studio fox"), WorkerHarness.SYNTHETIC);
      await()
          .atMost(WAIT)
          .until(
              () ->
                  studio.frames(worker.workerId()).stream()
                      .anyMatch(f -> f.type().equals("reject") && f.text().contains("\"busy\"")));
      assertThat(studio.job(studioJob).orElseThrow().status()).isNotEqualTo(JobStatus.COMPLETED);

      gated.open();
      HttpResponse<byte[]> answer = local.get();
      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(answer.body()).has("answer")).isTrue();
      studio.awaitJobStatus(studioJob, JobStatus.COMPLETED, WAIT);
    }
  }

  @Test
  void localAndStudioImageJobsSideBySideNeverOverlap() throws Exception {
    try (WorkerHarness harness = startWorker()) {
      int rounds = 6;
      List<String> studioJobs = new ArrayList<>();
      AtomicInteger busy = new AtomicInteger();
      CompletableFuture<Integer> locals =
          CompletableFuture.supplyAsync(
              () -> {
                int done = 0;
                try {
                  while (done < rounds) {
                    HttpResponse<byte[]> answer = post(harness, "/image", IMAGE);
                    if (answer.statusCode() == 503) {
                      busy.incrementAndGet();
                      continue;
                    }
                    assertThat(answer.statusCode()).isEqualTo(200);
                    done++;
                  }
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
                return done;
              });
      for (int i = 0; i < rounds; i++) {
        studioJobs.add(
            studio.submitJob(
                "synthetic-image", 1.0, Task.Image.of("studio fox " + i), WorkerHarness.SYNTHETIC));
      }
      assertThat(locals.get()).isEqualTo(rounds);
      for (String job : studioJobs) {
        studio.awaitJobStatus(job, JobStatus.COMPLETED, WAIT);
      }

      // A studio job is on the board once its bookkeeping is done, just after the studio has it.
      await().atMost(WAIT).until(() -> status(harness).get("recentJobs").size() == rounds);
      JsonNode status = status(harness);
      List<Instant[]> spans = new ArrayList<>();
      for (String ring : List.of("recentJobs", "localJobs")) {
        for (JsonNode job : status.get(ring)) {
          spans.add(
              new Instant[] {
                Instant.parse(job.get("startedAt").asString()),
                Instant.parse(job.get("finishedAt").asString())
              });
        }
      }
      assertThat(status.get("localJobs")).hasSize(rounds);
      assertThat(spans).hasSize(2 * rounds);
      spans.sort(Comparator.comparing(span -> span[0]));
      for (int i = 1; i < spans.size(); i++) {
        assertThat(spans.get(i)[0])
            .as("job %d starts after job %d ended", i, i - 1)
            .isAfterOrEqualTo(spans.get(i - 1)[1]);
      }
    }
  }
}
