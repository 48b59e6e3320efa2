package org.studioworker.devstudio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.studioworker.protocol.CloseCodes;
import org.studioworker.protocol.ErrorCode;
import org.studioworker.protocol.StudioFrame;
import org.studioworker.protocol.WorkerFrame;

final class FaultInjectionTest {
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private DevStudio studio = DevStudio.start();
  private final WorkerCredentials worker = studio.createWorker();
  private final Http http = new Http(client, studio);

  @AfterEach
  void stop() {
    studio.close();
    client.shutdownNow();
  }

  @Test
  void rawTextAndBinaryFramesReachTheWorkerAsSent() throws Exception {
    try (TestWorker session = TestWorker.welcomed(client, studio, worker)) {
      assertThat(studio.sendRawText(worker.workerId(), "{\"type\":\"surprise\"}")).isTrue();
      assertThat(session.nextText()).isEqualTo("{\"type\":\"surprise\"}");
      assertThat(studio.sendRawBinary(worker.workerId(), new byte[] {1, 2})).isTrue();
      org.awaitility.Awaitility.await()
          .atMost(Fixtures.WAIT)
          .until(() -> session.binaryFrames() == 1);
      assertThat(studio.sendRawText("w-nobody", "x")).isFalse();
    }
  }

  @Test
  void anErrorFrameIsFollowedByItsCloseCode() throws Exception {
    try (TestWorker session = TestWorker.welcomed(client, studio, worker)) {
      assertThat(studio.sendError(worker.workerId(), ErrorCode.INTERNAL_ERROR, "boom")).isTrue();
      StudioFrame.Error error = session.next(StudioFrame.Error.class);
      assertThat(error).isEqualTo(new StudioFrame.Error(ErrorCode.INTERNAL_ERROR, "boom"));
      assertThat(session.awaitClose()).isEqualTo(CloseCodes.NORMAL);
    }
  }

  @Test
  void aDeletedWorkerIsClosedWith4004AndCannotConnectAgain() throws Exception {
    try (TestWorker session = TestWorker.welcomed(client, studio, worker)) {
      assertThat(studio.deleteWorker(worker.workerId())).isTrue();
      assertThat(session.next(StudioFrame.Error.class).code()).isEqualTo(ErrorCode.WORKER_DELETED);
      assertThat(session.awaitClose()).isEqualTo(CloseCodes.WORKER_DELETED);
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> TestWorker.connect(client, studio, worker))
        .cause()
        .isInstanceOfSatisfying(
            java.net.http.WebSocketHandshakeException.class,
            e -> assertThat(e.getResponse().statusCode()).isEqualTo(401));
  }

  @Test
  void aSilentStudioAcknowledgesNothingButRecordsWhatArrives() throws Exception {
    try (TestWorker session = TestWorker.welcomed(client, studio, worker)) {
      assertThat(studio.goSilent(worker.workerId())).isTrue();
      session.send(new WorkerFrame.Heartbeat(Fixtures.capabilities(), null));
      WireFrame ignored =
          studio.awaitFrame(worker.workerId(), frame -> frame.ignored(), Fixtures.WAIT);
      assertThat(ignored.type()).isEqualTo("heartbeat");
      String jobId = studio.submitJob("m", 1.0, Fixtures.llm("not now"), Fixtures.synthetic());
      assertThat(studio.job(jobId).orElseThrow().status()).isEqualTo(JobStatus.QUEUED);

      assertThat(studio.resumeTalking(worker.workerId())).isTrue();
      // Talking again: the next frame the worker gets is the offer that waited.
      assertThat(session.next(StudioFrame.Offer.class).claim().jobId()).isEqualTo(jobId);
      session.send(new WorkerFrame.Heartbeat(Fixtures.capabilities(), jobId));
      session.next(StudioFrame.HeartbeatAck.class);
    }
  }

  @Test
  void aRestartedStudioOnTheSamePortKnowsTheWorkersItWasGiven() throws Exception {
    int port = studio.port();
    try (TestWorker session = TestWorker.welcomed(client, studio, worker)) {
      studio.close();
      assertThat(session.awaitClose()).isEqualTo(1001);
    }
    studio = DevStudio.start(DevStudio.Options.defaults().withPort(port).withKnownWorker(worker));
    assertThat(studio.port()).isEqualTo(port);
    try (TestWorker session = TestWorker.welcomed(client, studio, worker)) {
      assertThat(studio.awaitConnected(worker.workerId(), Fixtures.WAIT).connection()).isEqualTo(1);
    }
  }

  @Test
  void readyForMoreIsANoOp() throws Exception {
    try (TestWorker session = TestWorker.welcomed(client, studio, worker)) {
      session.send(new WorkerFrame.ReadyForMore());
      session.send(new WorkerFrame.Heartbeat(Fixtures.capabilities(), null));
      session.next(StudioFrame.HeartbeatAck.class);
      assertThat(session.isClosed()).isFalse();
    }
  }

  // ---------------------------------------------------------------- the complete route

  /** Offers an image job to the session and accepts it; answers its id once it is running. */
  private String runningImageJob(TestWorker session) throws Exception {
    String jobId =
        studio.submitJob("tiny-image", 1.0, Fixtures.image("a card"), Fixtures.synthetic());
    assertThat(session.next(StudioFrame.Offer.class).claim().jobId()).isEqualTo(jobId);
    session.send(new WorkerFrame.Accept(jobId));
    studio.awaitJobStatus(jobId, JobStatus.RUNNING, Fixtures.WAIT);
    return jobId;
  }

  private RawHttp rawUpload(String jobId) throws IOException {
    return RawHttp.post(
        studio,
        "/graphics/api/workers/" + worker.workerId() + "/jobs/" + jobId + "/complete",
        worker.authToken(),
        Http.MULTIPART_TYPE,
        Http.multipart("a card", "png", jobId + ".png", "image/png", new byte[] {1, 2, 3}),
        Fixtures.WAIT);
  }

  private HttpResponseText upload(String jobId) throws Exception {
    var response =
        http.complete(
            worker.workerId(),
            jobId,
            worker.authToken(),
            "a card",
            "png",
            jobId + ".png",
            "image/png",
            new byte[] {1, 2, 3});
    return new HttpResponseText(response.statusCode(), response.body());
  }

  private record HttpResponseText(int status, String body) {}

  @Test
  void aStalledUploadGetsHeadersAndAFewBytesThenItsConnectionDropsAndNothingIsStored()
      throws Exception {
    try (TestWorker session = TestWorker.welcomed(client, studio, worker)) {
      String jobId = runningImageJob(session);
      studio.stallNextCompletes(1, Duration.ofMillis(300));

      String reply;
      try (RawHttp raw = rawUpload(jobId)) {
        reply = new String(raw.readUntilClosed(), StandardCharsets.UTF_8);
      }

      assertThat(reply).startsWith("HTTP/1.1 200");
      String head = reply.substring(0, reply.indexOf("\r\n\r\n"));
      String body = reply.substring(head.length() + 4);
      assertThat(head).containsIgnoringCase("content-length: 73");
      assertThat(body).as("the body sent before the stall").isEqualTo("{\"jobId\":");
      JobSnapshot job = studio.job(jobId).orElseThrow();
      assertThat(job.status()).as("nothing stored").isEqualTo(JobStatus.RUNNING);
      assertThat(job.reports()).isEmpty();
      // The worker still holds the job: the next upload goes through.
      assertThat(upload(jobId).status()).isEqualTo(200);
      assertThat(studio.job(jobId).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(studio.completesReceived()).isEqualTo(2);
      assertThat(studio.injectedFaults()).containsEntry("complete stalled", 1);
    }
  }

  @Test
  void aLostReplyCompletesTheJobOnceAndARetryOfTheUploadGets409() throws Exception {
    try (TestWorker session = TestWorker.welcomed(client, studio, worker)) {
      String jobId = runningImageJob(session);
      String next = studio.submitJob("tiny-llm", 1.0, Fixtures.llm("next"), Fixtures.synthetic());
      studio.loseNextCompleteReplies(1);

      byte[] reply;
      try (RawHttp raw = rawUpload(jobId)) {
        reply = raw.readUntilClosed();
      }

      assertThat(reply).as("no reply at all").isEmpty();
      assertThat(studio.injectedFaults()).containsEntry("complete reply lost", 1);
      // Stored and acknowledged exactly as a normal upload, and the next offer follows.
      assertThat(session.next(StudioFrame.CompleteAck.class).jobId()).isEqualTo(jobId);
      assertThat(session.next(StudioFrame.Offer.class).claim().jobId()).isEqualTo(next);
      assertThat(studio.job(jobId).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(studio.result(jobId).orElseThrow().bytes()).containsExactly(1, 2, 3);

      HttpResponseText retry = upload(jobId);

      assertThat(retry.status()).isEqualTo(409);
      JobSnapshot job = studio.job(jobId).orElseThrow();
      assertThat(job.status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(job.completions()).isEqualTo(1);
      assertThat(job.reports())
          .extracting(JobReport::verdict)
          .containsExactly(JobReport.Verdict.COMPLETED, JobReport.Verdict.REFUSED);
      assertThat(studio.refusedReports())
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.jobId()).isEqualTo(jobId);
                assertThat(r.kind()).isEqualTo(JobReport.Kind.UPLOAD);
                assertThat(r.statusBefore()).isEqualTo(JobStatus.COMPLETED);
              });
    }
  }

  @Test
  void anAcceptThatArrivesAfterItsOwnUploadIsIgnoredNotAViolation() throws Exception {
    try (TestWorker session = TestWorker.welcomed(client, studio, worker)) {
      String jobId =
          studio.submitJob("tiny-image", 1.0, Fixtures.image("fast"), Fixtures.synthetic());
      session.next(StudioFrame.Offer.class);

      // A fast job: the upload, on its own connection, reaches the studio before the accept.
      assertThat(upload(jobId).status()).isEqualTo(200);
      session.send(new WorkerFrame.Accept(jobId));
      session.next(StudioFrame.CompleteAck.class);

      assertThat(session.nothingWithin(java.time.Duration.ofMillis(300))).isTrue();
      assertThat(session.isClosed()).isFalse();
      assertThat(studio.job(jobId).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
    }
  }

  @Test
  void aSecondReportOverTheSocketIsRecordedAsRefused() throws Exception {
    try (TestWorker session = TestWorker.welcomed(client, studio, worker)) {
      String jobId = studio.submitJob("tiny-llm", 1.0, Fixtures.llm("once"), Fixtures.synthetic());
      session.next(StudioFrame.Offer.class);
      session.send(new WorkerFrame.Accept(jobId));
      session.send(
          new WorkerFrame.CompleteJson(
              jobId, new org.studioworker.spi.JsonText("{\"a\":1}"), "once"));
      session.next(StudioFrame.CompleteAck.class);

      session.send(new WorkerFrame.Fail(jobId, "late", true));

      assertThat(session.next(StudioFrame.Error.class).code())
          .isEqualTo(ErrorCode.PROTOCOL_VIOLATION);
      JobSnapshot job = studio.job(jobId).orElseThrow();
      assertThat(job.status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(job.attempts()).isZero();
      assertThat(job.reports())
          .extracting(JobReport::kind, JobReport::verdict)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(
                  JobReport.Kind.COMPLETE_JSON, JobReport.Verdict.COMPLETED),
              org.assertj.core.groups.Tuple.tuple(JobReport.Kind.FAIL, JobReport.Verdict.REFUSED));
      assertThat(studio.refusedReports()).hasSize(1);
    }
  }

  @Test
  void serviceUnavailableStormsAnswer503ToTheNextRequestsOfEachRoute() throws Exception {
    studio.unavailableNextRegisterRequests(2);
    studio.unavailableNextPolls(2);
    studio.unavailableNextCompletes(3);
    String body =
        Fixtures.CODEC.encode(Fixtures.registration("11111111-2222-3333-4444-555555555555", "s"));

    assertThat(http.post("graphics/api/workers/register-request", body).statusCode())
        .isEqualTo(503);
    assertThat(http.post("graphics/api/workers/register-request", body).statusCode())
        .isEqualTo(503);
    assertThat(http.post("graphics/api/workers/register-request", body).statusCode())
        .isEqualTo(200);
    for (int i = 0; i < 2; i++) {
      assertThat(http.get("graphics/api/workers/register-requests/rr-x", "s").statusCode())
          .isEqualTo(503);
    }
    assertThat(http.get("graphics/api/workers/register-requests/rr-x", "s").statusCode())
        .isEqualTo(404);
    for (int i = 0; i < 3; i++) {
      assertThat(upload("job-nothing").status()).isEqualTo(503);
    }
    assertThat(upload("job-nothing").status()).isEqualTo(409);
    assertThat(studio.registerRequestsReceived()).isEqualTo(3);
    assertThat(studio.pollsReceived()).isEqualTo(3);
    assertThat(studio.completesReceived()).isEqualTo(4);
    assertThat(studio.injectedFaults())
        .containsEntry("register-request 503", 2)
        .containsEntry("poll 503", 2)
        .containsEntry("complete 503", 3)
        .containsEntry("complete 500", 0);
  }

  // ---------------------------------------------------------------- half-open and restart

  @Test
  void aSilentSocketIsDroppedWithoutACloseFrameAndItsJobRequeued() throws Exception {
    studio.close();
    studio =
        DevStudio.start(
            DevStudio.Options.defaults()
                // Why 1 s? Long enough for a loaded machine to say hello in time.
                .withSilenceTimeout(Duration.ofSeconds(1))
                .withKnownWorker(worker));
    try (TestWorker session = TestWorker.welcomed(client, studio, worker)) {
      String jobId = studio.submitJob("tiny-llm", 1.0, Fixtures.llm("hi"), Fixtures.synthetic());
      session.next(StudioFrame.Offer.class);
      session.send(new WorkerFrame.Accept(jobId));
      studio.awaitJobStatus(jobId, JobStatus.RUNNING, Fixtures.WAIT);

      assertThat(studio.goSilent(worker.workerId())).isTrue();
      // The worker keeps talking; the studio ignores it, so the silence check fires all the same.
      session.send(new WorkerFrame.Heartbeat(Fixtures.capabilities(), jobId));

      JobSnapshot job = studio.awaitJobStatus(jobId, JobStatus.QUEUED, Fixtures.WAIT);
      assertThat(job.attempts()).isZero();
      assertThat(studio.connectedWorkers()).isEmpty();
      // Half-open: no close frame comes through (1006 would be the client noticing the drop).
      await()
          .during(Duration.ofMillis(500))
          .atMost(Fixtures.WAIT)
          .until(() -> !session.isClosed() || session.awaitClose() == 1006);
    }
  }

  @Test
  void aRestartDropsEverythingRefusesConnectsWhileDownAndKeepsItsState() throws Exception {
    int port = studio.port();
    String jobId;
    try (TestWorker session = TestWorker.welcomed(client, studio, worker)) {
      jobId = studio.submitJob("tiny-llm", 1.0, Fixtures.llm("kept"), Fixtures.synthetic());
      session.next(StudioFrame.Offer.class);
      session.send(new WorkerFrame.Accept(jobId));
      studio.awaitJobStatus(jobId, JobStatus.RUNNING, Fixtures.WAIT);

      CompletableFuture<Void> restart =
          CompletableFuture.runAsync(() -> studio.restart(Duration.ofSeconds(2)));

      await().atMost(Fixtures.WAIT).until(() -> refused(port));
      restart.get(Fixtures.WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    }
    assertThat(studio.port()).isEqualTo(port);
    assertThat(refused(port)).isFalse();
    JobSnapshot job = studio.job(jobId).orElseThrow();
    assertThat(job.status()).as("requeued by the drop, not lost").isEqualTo(JobStatus.QUEUED);
    assertThat(job.attempts()).isZero();
    try (TestWorker session = TestWorker.welcomed(client, studio, worker)) {
      assertThat(studio.awaitConnected(worker.workerId(), Fixtures.WAIT).connection())
          .as("the connection counter is kept")
          .isEqualTo(2);
      assertThat(session.next(StudioFrame.Offer.class).claim().jobId()).isEqualTo(jobId);
    }
  }

  private static boolean refused(int port) {
    try (Socket probe = new Socket("127.0.0.1", port)) {
      return false;
    } catch (ConnectException e) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
