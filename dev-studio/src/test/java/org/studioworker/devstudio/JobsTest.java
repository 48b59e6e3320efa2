package org.studioworker.devstudio;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.studioworker.protocol.Capabilities;
import org.studioworker.protocol.CloseCodes;
import org.studioworker.protocol.ErrorCode;
import org.studioworker.protocol.RejectCode;
import org.studioworker.protocol.StudioFrame;
import org.studioworker.protocol.WorkerFrame;
import org.studioworker.spi.JsonText;
import org.studioworker.spi.Task;

final class JobsTest {
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private DevStudio studio;
  private Http http;
  private WorkerCredentials worker;

  @BeforeEach
  void start() {
    studio = DevStudio.start(DevStudio.Options.defaults().withMaxAttempts(2));
    http = new Http(client, studio);
    worker = studio.createWorker();
  }

  @AfterEach
  void stop() {
    studio.close();
    client.shutdownNow();
  }

  private String submitLlm(String prompt) {
    return studio.submitJob("tiny-llm", 2.0, Fixtures.llm(prompt), Fixtures.synthetic());
  }

  @Test
  void anAcceptedOfferCompletedWithCompleteJsonIsStoredAndAcknowledged() throws Exception {
    try (TestWorker session = TestWorker.welcomed(client, studio, worker)) {
      String jobId = submitLlm("write a poem about sockets");
      StudioFrame.Offer offer = session.next(StudioFrame.Offer.class);
      assertThat(offer.claim().jobId()).isEqualTo(jobId);
      assertThat(offer.claim().task().prompt()).isEqualTo("write a poem about sockets");
      session.send(new WorkerFrame.Accept(jobId));
      assertThat(studio.awaitJobStatus(jobId, JobStatus.RUNNING, Fixtures.WAIT).workerId())
          .isEqualTo(worker.workerId());

      session.send(
          new WorkerFrame.CompleteJson(
              jobId, new JsonText("{\"text\":\"ok\"}"), "write a poem about sockets"));
      assertThat(session.next(StudioFrame.CompleteAck.class).jobId()).isEqualTo(jobId);

      JobSnapshot job = studio.awaitJobStatus(jobId, JobStatus.COMPLETED, Fixtures.WAIT);
      assertThat(job.result()).isEqualTo(new JsonText("{\"text\":\"ok\"}"));
      assertThat(job.prompt()).isEqualTo("write a poem about sockets");
      assertThat(job.attempts()).isZero();
      HttpResponse<String> read = http.get("dev/jobs/" + jobId);
      assertThat(read.statusCode()).isEqualTo(200);
      assertThat(read.body())
          .contains("\"status\":\"completed\"", "\"result\":{\"text\":\"ok\"}", "\"attempts\":0");
      HttpResponse<byte[]> result = http.getBytes("dev/jobs/" + jobId + "/result");
      assertThat(result.headers().firstValue("Content-Type")).hasValue("application/json");
      assertThat(new String(result.body(), StandardCharsets.UTF_8)).isEqualTo("{\"text\":\"ok\"}");
      assertThat(studio.framesFrom(worker.workerId()).getLast().text())
          .contains("write a poem about sockets");
    }
  }

  @Test
  void aWorkerHoldsOneOfferAtATimeAndGetsTheNextAfterCompleting() throws Exception {
    try (TestWorker session = TestWorker.welcomed(client, studio, worker)) {
      String first = submitLlm("one");
      String second = submitLlm("two");
      assertThat(session.next(StudioFrame.Offer.class).claim().jobId()).isEqualTo(first);
      assertThat(studio.job(second).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);
      session.send(new WorkerFrame.Accept(first));
      session.send(new WorkerFrame.CompleteJson(first, new JsonText("1"), "one"));
      session.next(StudioFrame.CompleteAck.class);
      assertThat(session.next(StudioFrame.Offer.class).claim().jobId()).isEqualTo(second);
    }
  }

  @Test
  void aBusyRejectRequeuesWithoutAnAttemptAndReoffersOnlyAfterTheNextHeartbeat() throws Exception {
    try (TestWorker session = TestWorker.welcomed(client, studio, worker)) {
      String jobId = submitLlm("busy");
      session.next(StudioFrame.Offer.class);
      session.send(
          new WorkerFrame.Reject(jobId, "worker already has an in-flight job", RejectCode.BUSY));
      JobSnapshot job = studio.awaitJobStatus(jobId, JobStatus.QUEUED, Fixtures.WAIT);
      assertThat(job.attempts()).isZero();
      assertThat(job.workerId()).isNull();

      session.send(new WorkerFrame.Heartbeat(Fixtures.capabilities(), null));
      session.next(StudioFrame.HeartbeatAck.class);
      assertThat(session.next(StudioFrame.Offer.class).claim().jobId()).isEqualTo(jobId);
      assertThat(studio.job(jobId).orElseThrow().status()).isEqualTo(JobStatus.OFFERED);
    }
  }

  @Test
  void aRejectWithoutACodeNeverOffersThatJobToTheSameWorkerAgain() throws Exception {
    try (TestWorker session = TestWorker.welcomed(client, studio, worker)) {
      String jobId = submitLlm("not for me");
      session.next(StudioFrame.Offer.class);
      session.send(new WorkerFrame.Reject(jobId, "model not installed", null));
      studio.awaitJobStatus(jobId, JobStatus.QUEUED, Fixtures.WAIT);
      // Two heartbeats: the studio handles frames in order, so the second ack proves that the
      // dispatch after the first heartbeat is over.
      session.send(new WorkerFrame.Heartbeat(Fixtures.capabilities(), null));
      session.next(StudioFrame.HeartbeatAck.class);
      session.send(new WorkerFrame.Heartbeat(Fixtures.capabilities(), null));
      session.next(StudioFrame.HeartbeatAck.class);
      assertThat(studio.job(jobId).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);

      String other = submitLlm("for me");
      assertThat(session.next(StudioFrame.Offer.class).claim().jobId()).isEqualTo(other);
    }
  }

  @Test
  void aRetryableFailRequeuesWithAnAttemptUntilTheMaximum() throws Exception {
    try (TestWorker session = TestWorker.welcomed(client, studio, worker)) {
      String jobId = submitLlm("flaky");
      session.next(StudioFrame.Offer.class);
      session.send(new WorkerFrame.Accept(jobId));
      session.send(new WorkerFrame.Fail(jobId, "engine crashed", true));
      assertThat(session.next(StudioFrame.FailAck.class).jobId()).isEqualTo(jobId);
      // Requeued with one attempt, and offered again to the now idle worker.
      assertThat(session.next(StudioFrame.Offer.class).claim().jobId()).isEqualTo(jobId);
      assertThat(studio.job(jobId).orElseThrow().attempts()).isEqualTo(1);

      session.send(new WorkerFrame.Accept(jobId));
      session.send(new WorkerFrame.Fail(jobId, "engine crashed again", true));
      session.next(StudioFrame.FailAck.class);
      JobSnapshot job = studio.awaitJobStatus(jobId, JobStatus.FAILED, Fixtures.WAIT);
      assertThat(job.attempts()).isEqualTo(2);
      assertThat(job.error()).isEqualTo("engine crashed again");
    }
  }

  @Test
  void aFailThatIsNotRetryableIsTerminal() throws Exception {
    try (TestWorker session = TestWorker.welcomed(client, studio, worker)) {
      String jobId = submitLlm("impossible");
      session.next(StudioFrame.Offer.class);
      session.send(new WorkerFrame.Accept(jobId));
      session.send(new WorkerFrame.Fail(jobId, "no engine for llm", false));
      session.next(StudioFrame.FailAck.class);
      JobSnapshot job = studio.awaitJobStatus(jobId, JobStatus.FAILED, Fixtures.WAIT);
      assertThat(job.attempts()).isEqualTo(1);
      assertThat(job.error()).isEqualTo("no engine for llm");
    }
  }

  @Test
  void anAcceptForAJobTheWorkerDoesNotHoldIsAProtocolViolation() throws Exception {
    try (TestWorker session = TestWorker.welcomed(client, studio, worker)) {
      session.send(new WorkerFrame.Accept("job-unknown"));
      StudioFrame.Error error = session.next(StudioFrame.Error.class);
      assertThat(error.code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION);
      assertThat(error.message()).contains("job-unknown");
      assertThat(session.awaitClose()).isEqualTo(CloseCodes.PROTOCOL_VIOLATION);
    }
  }

  @Test
  void aCompleteJsonForAJobTheWorkerDoesNotHoldIsAProtocolViolation() throws Exception {
    try (TestWorker session = TestWorker.welcomed(client, studio, worker)) {
      session.send(new WorkerFrame.CompleteJson("job-unknown", new JsonText("{}"), null));
      assertThat(session.next(StudioFrame.Error.class).code())
          .isEqualTo(ErrorCode.PROTOCOL_VIOLATION);
      assertThat(session.awaitClose()).isEqualTo(CloseCodes.PROTOCOL_VIOLATION);
    }
  }

  @Test
  void aDroppedSocketReleasesItsJobToTheNextWorker() throws Exception {
    WorkerCredentials other = studio.createWorker();
    try (TestWorker first = TestWorker.welcomed(client, studio, worker);
        TestWorker second = TestWorker.welcomed(client, studio, other)) {
      String jobId = submitLlm("hand over");
      // Earliest welcomed first.
      assertThat(first.next(StudioFrame.Offer.class).claim().jobId()).isEqualTo(jobId);
      first.send(new WorkerFrame.Accept(jobId));
      studio.awaitJobStatus(jobId, JobStatus.RUNNING, Fixtures.WAIT);
      first.close();
      assertThat(second.next(StudioFrame.Offer.class).claim().jobId()).isEqualTo(jobId);
      assertThat(studio.job(jobId).orElseThrow().attempts()).isZero();
    }
  }

  @Test
  void offersGoOnlyToWorkersThatAreEnabledAndCanRunTheJob() throws Exception {
    try (TestWorker session = TestWorker.connect(client, studio, worker)) {
      Capabilities paused = Fixtures.capabilities(false, 16.0);
      session.send(new WorkerFrame.Hello(worker.authToken(), paused));
      session.next(StudioFrame.Welcome.class);
      String tooBig = studio.submitJob("big", 20.0, Fixtures.llm("big"), Fixtures.synthetic());
      String video = studio.submitJob("vid", 1.0, Task.Video.of("a clip"), Fixtures.synthetic());
      String fits = submitLlm("fits");
      session.send(new WorkerFrame.Heartbeat(paused, null));
      session.next(StudioFrame.HeartbeatAck.class);
      assertThat(studio.job(fits).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);

      session.send(new WorkerFrame.Heartbeat(Fixtures.capabilities(), null));
      session.next(StudioFrame.HeartbeatAck.class);
      assertThat(session.next(StudioFrame.Offer.class).claim().jobId()).isEqualTo(fits);
      assertThat(studio.job(tooBig).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);
      assertThat(studio.job(video).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);
    }
  }

  @Test
  void aMultipartCompleteFromTheHolderIsStoredAndAcknowledged() throws Exception {
    try (TestWorker session = TestWorker.welcomed(client, studio, worker)) {
      String jobId =
          studio.submitJob("tiny-image", 4.0, Fixtures.image("a red fox"), Fixtures.synthetic());
      session.next(StudioFrame.Offer.class);
      session.send(new WorkerFrame.Accept(jobId));
      studio.awaitJobStatus(jobId, JobStatus.RUNNING, Fixtures.WAIT);
      byte[] image = {'R', 'I', 'F', 'F', 0, 1, 2, 3};

      HttpResponse<String> response =
          http.complete(
              worker.workerId(),
              jobId,
              worker.authToken(),
              "a red fox",
              "webp",
              jobId + ".webp",
              "image/webp",
              image);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(session.next(StudioFrame.CompleteAck.class).jobId()).isEqualTo(jobId);

      JobSnapshot job = studio.awaitJobStatus(jobId, JobStatus.COMPLETED, Fixtures.WAIT);
      assertThat(job.prompt()).isEqualTo("a red fox");
      assertThat(job.ext()).isEqualTo("webp");
      assertThat(studio.result(jobId)).hasValue(new StoredResult(image, "image/webp"));
      HttpResponse<byte[]> stored = http.getBytes("dev/jobs/" + jobId + "/result");
      assertThat(stored.headers().firstValue("Content-Type")).hasValue("image/webp");
      assertThat(stored.body()).isEqualTo(image);
      assertThat(studio.completesReceived()).isEqualTo(1);
    }
  }

  @Test
  void aMultipartCompleteFromAnotherWorkerIs409AndWithABadTokenIs401() throws Exception {
    WorkerCredentials other = studio.createWorker();
    try (TestWorker session = TestWorker.welcomed(client, studio, worker)) {
      String jobId =
          studio.submitJob("tiny-image", 4.0, Fixtures.image("a fox"), Fixtures.synthetic());
      session.next(StudioFrame.Offer.class);
      session.send(new WorkerFrame.Accept(jobId));
      studio.awaitJobStatus(jobId, JobStatus.RUNNING, Fixtures.WAIT);
      byte[] image = {1, 2, 3};

      assertThat(
              http.complete(
                      other.workerId(),
                      jobId,
                      other.authToken(),
                      "a fox",
                      "png",
                      jobId + ".png",
                      "image/png",
                      image)
                  .statusCode())
          .isEqualTo(409);
      assertThat(
              http.complete(
                      worker.workerId(),
                      jobId,
                      "wrong-token",
                      "a fox",
                      "png",
                      jobId + ".png",
                      "image/png",
                      image)
                  .statusCode())
          .isEqualTo(401);
      assertThat(studio.job(jobId).orElseThrow().status()).isEqualTo(JobStatus.RUNNING);
    }
  }

  @Test
  void injectedCompleteFaultsAnswer500Then400AndEveryRequestIsCounted() throws Exception {
    try (TestWorker session = TestWorker.welcomed(client, studio, worker)) {
      String jobId =
          studio.submitJob("tiny-image", 4.0, Fixtures.image("a fox"), Fixtures.synthetic());
      session.next(StudioFrame.Offer.class);
      session.send(new WorkerFrame.Accept(jobId));
      studio.failNextCompletes(2);
      studio.rejectNextCompletes(1);
      byte[] image = {1};
      int[] statuses = new int[4];
      for (int i = 0; i < statuses.length; i++) {
        statuses[i] =
            http.complete(
                    worker.workerId(),
                    jobId,
                    worker.authToken(),
                    "a fox",
                    "png",
                    jobId + ".png",
                    "image/png",
                    image)
                .statusCode();
      }
      assertThat(statuses).containsExactly(500, 500, 400, 200);
      assertThat(studio.completesReceived()).isEqualTo(4);
    }
  }
}
