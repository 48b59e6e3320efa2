package org.studioworker.devstudio;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
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
}
