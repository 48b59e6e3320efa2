package org.studioworker.devstudio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpClient;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.studioworker.protocol.CloseCodes;
import org.studioworker.protocol.ErrorCode;
import org.studioworker.protocol.StudioFrame;
import org.studioworker.protocol.WorkerFrame;

final class SessionTest {
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private DevStudio studio;
  private WorkerCredentials worker;

  @BeforeEach
  void start() {
    studio = DevStudio.start();
    worker = studio.createWorker();
  }

  @AfterEach
  void stop() {
    studio.close();
    client.shutdownNow();
  }

  @Test
  void upgradeEchoesTheSubprotocolAndHelloIsWelcomed() throws Exception {
    try (TestWorker session = TestWorker.connect(client, studio, worker)) {
      assertThat(session.socket().getSubprotocol()).isEqualTo("studio-worker-v1");
      session.send(new WorkerFrame.Hello(worker.authToken(), Fixtures.capabilities()));
      StudioFrame.Welcome welcome = session.next(StudioFrame.Welcome.class);
      assertThat(welcome.workerId()).isEqualTo(worker.workerId());
      assertThat(welcome.serverTime()).endsWith("Z");
      assertThat(studio.awaitConnected(worker.workerId(), Fixtures.WAIT).capabilities())
          .isEqualTo(Fixtures.capabilities());
    }
  }

  @Test
  void upgradeWithAWrongTokenIsRefusedWith401() {
    WorkerCredentials wrong = new WorkerCredentials(worker.workerId(), "not-the-token");
    assertThatThrownBy(() -> TestWorker.connect(client, studio, wrong))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            WebSocketHandshakeException.class,
            e -> assertThat(e.getResponse().statusCode()).isEqualTo(401));
  }

  @Test
  void upgradeForAnUnknownWorkerIsRefusedWith401() {
    WorkerCredentials unknown = new WorkerCredentials("w-unknown", worker.authToken());
    assertThatThrownBy(() -> TestWorker.connect(client, studio, unknown))
        .cause()
        .isInstanceOfSatisfying(
            WebSocketHandshakeException.class,
            e -> assertThat(e.getResponse().statusCode()).isEqualTo(401));
  }

  @Test
  void upgradeWithoutABearerIsRefusedWith401() {
    assertThatThrownBy(
            () ->
                client
                    .newWebSocketBuilder()
                    .subprotocols("studio-worker-v1")
                    .buildAsync(
                        studio.sessionUrl(worker.workerId()),
                        new java.net.http.WebSocket.Listener() {})
                    .get(10, TimeUnit.SECONDS))
        .cause()
        .isInstanceOfSatisfying(
            WebSocketHandshakeException.class,
            e -> assertThat(e.getResponse().statusCode()).isEqualTo(401));
  }

  @Test
  void aFirstFrameOtherThanHelloIsAProtocolViolation() throws Exception {
    try (TestWorker session = TestWorker.connect(client, studio, worker)) {
      session.send(new WorkerFrame.Heartbeat(Fixtures.capabilities(), null));
      StudioFrame.Error error = session.next(StudioFrame.Error.class);
      assertThat(error.code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION);
      assertThat(session.awaitClose()).isEqualTo(CloseCodes.PROTOCOL_VIOLATION);
    }
  }

  @Test
  void helloWithAnotherTokenFailsAuthenticationWith4001() throws Exception {
    try (TestWorker session = TestWorker.connect(client, studio, worker)) {
      session.send(new WorkerFrame.Hello("another-token", Fixtures.capabilities()));
      assertThat(session.next(StudioFrame.Error.class).code()).isEqualTo(ErrorCode.AUTH_FAILED);
      assertThat(session.awaitClose()).isEqualTo(CloseCodes.AUTH_FAILED);
    }
  }

  @Test
  void everyHeartbeatIsAcknowledged() throws Exception {
    try (TestWorker session = TestWorker.welcomed(client, studio, worker)) {
      session.send(new WorkerFrame.Heartbeat(Fixtures.capabilities(), null));
      session.next(StudioFrame.HeartbeatAck.class);
      session.send(new WorkerFrame.Heartbeat(Fixtures.capabilities(), null));
      session.next(StudioFrame.HeartbeatAck.class);
      assertThat(studio.framesFrom(worker.workerId()))
          .extracting(WireFrame::type)
          .containsExactly("hello", "heartbeat", "heartbeat");
      assertThat(studio.connectedWorkers().getFirst().lastHeartbeatAt()).isNotNull();
    }
  }

  @Test
  void aNewerSocketClosesTheOlderWithDuplicateWorker() throws Exception {
    try (TestWorker first = TestWorker.welcomed(client, studio, worker);
        TestWorker second = TestWorker.connect(client, studio, worker)) {
      assertThat(first.next(StudioFrame.Error.class).code()).isEqualTo(ErrorCode.DUPLICATE_WORKER);
      assertThat(first.awaitClose()).isEqualTo(CloseCodes.DUPLICATE_WORKER);
      second.send(new WorkerFrame.Hello(worker.authToken(), Fixtures.capabilities()));
      second.next(StudioFrame.Welcome.class);
      assertThat(studio.connectedWorkers())
          .singleElement()
          .extracting(WorkerSnapshot::connection)
          .isEqualTo(2);
    }
  }

  @Test
  void aSilentWorkerIsClosedAndItsJobRequeued() throws Exception {
    studio.close();
    studio =
        DevStudio.start(
            DevStudio.Options.defaults()
                .withSilenceTimeout(Duration.ofMillis(300))
                .withKnownWorker(worker));
    try (TestWorker session = TestWorker.welcomed(client, studio, worker)) {
      String jobId = studio.submitJob("tiny-llm", 1.0, Fixtures.llm("hi"), Fixtures.synthetic());
      session.next(StudioFrame.Offer.class);
      session.send(new WorkerFrame.Accept(jobId));
      studio.awaitJobStatus(jobId, JobStatus.RUNNING, Fixtures.WAIT);
      // From here on the worker sends nothing.
      assertThat(session.awaitClose()).isEqualTo(CloseCodes.NORMAL);
      JobSnapshot job = studio.awaitJobStatus(jobId, JobStatus.QUEUED, Fixtures.WAIT);
      assertThat(job.workerId()).isNull();
      assertThat(job.attempts()).isZero();
    }
  }

  @Test
  void binaryFramesAreAProtocolViolation() throws Exception {
    try (TestWorker session = TestWorker.welcomed(client, studio, worker)) {
      session.sendBinary(new byte[] {1, 2, 3});
      assertThat(session.next(StudioFrame.Error.class).code())
          .isEqualTo(ErrorCode.PROTOCOL_VIOLATION);
      assertThat(session.awaitClose()).isEqualTo(CloseCodes.PROTOCOL_VIOLATION);
    }
  }

  @Test
  void aFrameOverTheSizeCapIsAProtocolViolation() throws Exception {
    studio.close();
    studio =
        DevStudio.start(
            DevStudio.Options.defaults().withMaxFrameChars(2_000).withKnownWorker(worker));
    try (TestWorker session = TestWorker.welcomed(client, studio, worker)) {
      session.send(new WorkerFrame.Fail("job-x", "e".repeat(3_000), true));
      StudioFrame.Error error = session.next(StudioFrame.Error.class);
      assertThat(error.code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION);
      assertThat(error.message()).contains("limit");
      assertThat(session.awaitClose()).isEqualTo(CloseCodes.PROTOCOL_VIOLATION);
    }
  }

  @Test
  void malformedJsonIsAProtocolViolation() throws Exception {
    try (TestWorker session = TestWorker.welcomed(client, studio, worker)) {
      session.sendText("{not json");
      assertThat(session.next(StudioFrame.Error.class).code())
          .isEqualTo(ErrorCode.PROTOCOL_VIOLATION);
      assertThat(session.awaitClose()).isEqualTo(CloseCodes.PROTOCOL_VIOLATION);
    }
  }

  @Test
  void aFrameBeforeWelcomeIsAViolationWhileHelloIsChecked() throws Exception {
    studio.close();
    studio =
        DevStudio.start(
            DevStudio.Options.defaults()
                .withWelcomeDelay(Duration.ofSeconds(5))
                .withKnownWorker(worker));
    try (TestWorker session = TestWorker.connect(client, studio, worker)) {
      session.send(new WorkerFrame.Hello(worker.authToken(), Fixtures.capabilities()));
      session.send(new WorkerFrame.Heartbeat(Fixtures.capabilities(), null));
      StudioFrame.Error error = session.next(StudioFrame.Error.class);
      assertThat(error.message()).contains("before welcome");
      assertThat(session.awaitClose()).isEqualTo(CloseCodes.PROTOCOL_VIOLATION);
    }
  }

  @Test
  void logBatchesAreKeptPerWorker() throws Exception {
    try (TestWorker session = TestWorker.welcomed(client, studio, worker)) {
      session.send(
          new WorkerFrame.LogBatch(
              java.util.List.of(
                  new org.studioworker.protocol.LogEntry(
                      java.time.Instant.parse("2026-01-02T03:04:05.678Z"),
                      org.studioworker.protocol.LogLevel.INFO,
                      "session",
                      "hello from the worker",
                      null))));
      await()
          .atMost(Fixtures.WAIT)
          .untilAsserted(
              () ->
                  assertThat(studio.logs(worker.workerId()))
                      .extracting(org.studioworker.protocol.LogEntry::message)
                      .containsExactly("hello from the worker"));
    }
  }

  @Test
  void droppedSessionsAreForgottenAndTheWorkerCanReconnect() throws Exception {
    try (TestWorker first = TestWorker.welcomed(client, studio, worker)) {
      studio.dropAllSessions();
      // The old client is not asserted on: the JDK client does not always report a connection
      // that the peer dropped without a close frame; a worker notices through its own silence
      // check.
      assertThat(studio.connectedWorkers()).isEmpty();
      try (TestWorker second = TestWorker.welcomed(client, studio, worker)) {
        assertThat(studio.connectedWorkers())
            .singleElement()
            .extracting(WorkerSnapshot::connection)
            .isEqualTo(2);
      }
    }
  }
}
