package org.studioworker.devstudio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.studioworker.protocol.LogEntry;
import org.studioworker.protocol.LogLevel;
import org.studioworker.protocol.StudioFrame;
import org.studioworker.protocol.WorkerFrame;

final class DevRoutesTest {
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final DevStudio studio = DevStudio.start();
  private final Http http = new Http(client, studio);

  @AfterEach
  void stop() {
    studio.close();
    client.shutdownNow();
  }

  private String jobBody(String model) {
    return "{\"model\":\""
        + model
        + "\",\"vramGbEstimate\":3.5,\"gameId\":\"g-1\",\"assetName\":\"hero\",\"task\":"
        + Fixtures.CODEC.encodeTask(Fixtures.image("a hero"))
        + ",\"modelSource\":"
        + Fixtures.CODEC.encodeModelSource(Fixtures.synthetic())
        + "}";
  }

  @Test
  void aJobSubmittedOverHttpIsQueuedAndReadBack() throws Exception {
    HttpResponse<String> created = http.post("dev/jobs", jobBody("tiny-image"));
    assertThat(created.statusCode()).isEqualTo(200);
    String jobId = created.body().replaceAll(".*\"jobId\":\"([^\"]+)\".*", "$1");
    JobSnapshot job = studio.job(jobId).orElseThrow();
    assertThat(job.claim().gameId()).isEqualTo("g-1");
    assertThat(job.claim().assetName()).isEqualTo("hero");
    assertThat(job.claim().vramGbEstimate()).isEqualTo(3.5);
    assertThat(job.claim().task()).isEqualTo(Fixtures.image("a hero"));

    HttpResponse<String> read = http.get("dev/jobs/" + jobId);
    assertThat(read.body())
        .contains("\"jobId\":\"" + jobId + "\"", "\"status\":\"queued\"", "\"attempts\":0")
        .doesNotContain("workerId", "result");
    assertThat(http.get("dev/jobs").body()).contains(jobId);
    assertThat(http.get("dev/jobs/" + jobId + "/result").statusCode()).isEqualTo(404);
    assertThat(http.get("dev/jobs/job-unknown").statusCode()).isEqualTo(404);
  }

  @Test
  void badJobRequestsAre400WithAMessageThatNamesTheField() throws Exception {
    HttpResponse<String> noModel =
        http.post("dev/jobs", jobBody("x").replace("\"model\"", "\"m\""));
    assertThat(noModel.statusCode()).isEqualTo(400);
    assertThat(noModel.body()).contains("model");

    HttpResponse<String> badKind =
        http.post("dev/jobs", jobBody("x").replace("\"kind\":\"image\"", "\"kind\":\"hologram\""));
    assertThat(badKind.statusCode()).isEqualTo(400);
    assertThat(badKind.body()).contains("kind");

    assertThat(http.post("dev/jobs", "not json").statusCode()).isEqualTo(400);
    assertThat(http.post("dev/jobs", "[]").statusCode()).isEqualTo(400);
  }

  @Test
  void unknownPathsAre404AndWrongMethods405() throws Exception {
    assertThat(http.get("nowhere").statusCode()).isEqualTo(404);
    assertThat(http.get("dev/jobs").statusCode()).isEqualTo(200);
    assertThat(http.post("dev/workers", "{}").statusCode()).isEqualTo(405);
    assertThat(http.get("graphics/api/workers/w-1/connect").statusCode()).isEqualTo(400);
  }

  @Test
  void connectedWorkersTheirLogsAndFramesAreListed() throws Exception {
    WorkerCredentials worker = studio.createWorker();
    try (TestWorker session = TestWorker.welcomed(client, studio, worker)) {
      session.send(
          new WorkerFrame.LogBatch(
              List.of(
                  new LogEntry(
                      Instant.parse("2026-01-02T03:04:05.678Z"),
                      LogLevel.WARN,
                      "jobs",
                      "engine slow",
                      "job-1"))));
      session.send(new WorkerFrame.Heartbeat(Fixtures.capabilities(), null));
      session.next(StudioFrame.HeartbeatAck.class);

      assertThat(http.get("dev/workers").body())
          .contains(
              "\"workerId\":\"" + worker.workerId() + "\"", "\"lastHeartbeatAt\"", "\"taskKinds\"");
      await()
          .atMost(Fixtures.WAIT)
          .untilAsserted(
              () ->
                  assertThat(http.get("dev/workers/" + worker.workerId() + "/logs").body())
                      .isEqualTo(
                          "[{\"ts\":\"2026-01-02T03:04:05.678Z\",\"level\":\"warn\","
                              + "\"category\":\"jobs\",\"message\":\"engine slow\","
                              + "\"jobId\":\"job-1\"}]"));
      assertThat(http.get("dev/workers/" + worker.workerId() + "/frames").body())
          .contains("\"type\":\"welcome\"", "\"direction\":\"sent\"", "\"type\":\"logBatch\"")
          .doesNotContain(worker.authToken());
    }
  }

  @Test
  void pausedOffersWaitUntilResumed() throws Exception {
    WorkerCredentials worker = studio.createWorker();
    try (TestWorker session = TestWorker.welcomed(client, studio, worker)) {
      assertThat(http.post("dev/offers/pause", "").statusCode()).isEqualTo(200);
      String jobId = studio.submitJob("m", 1.0, Fixtures.llm("wait"), Fixtures.synthetic());
      assertThat(studio.job(jobId).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);
      assertThat(http.post("dev/offers/resume", "").statusCode()).isEqualTo(200);
      assertThat(session.next(StudioFrame.Offer.class).claim().jobId()).isEqualTo(jobId);
    }
  }
}
