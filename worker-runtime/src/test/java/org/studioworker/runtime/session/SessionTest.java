package org.studioworker.runtime.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.devstudio.DevStudio;
import org.studioworker.devstudio.JobStatus;
import org.studioworker.devstudio.WireFrame;
import org.studioworker.devstudio.WorkerCredentials;
import org.studioworker.executors.synthetic.SyntheticExecutorProvider;
import org.studioworker.protocol.ErrorCode;
import org.studioworker.runtime.daemon.ExitCodes;
import org.studioworker.runtime.daemon.WorkerDaemon;
import org.studioworker.runtime.daemon.WorkerHarness;
import org.studioworker.runtime.status.SessionState;
import org.studioworker.spi.ChatMessage;
import org.studioworker.spi.Task;

final class SessionTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;

  private DevStudio studio = DevStudio.start();

  @AfterEach
  void stopStudio() {
    studio.close();
  }

  private WorkerHarness approvedWorker(WorkerCredentials credentials) throws Exception {
    return WorkerHarness.start(WorkerHarness.writeConfig(dir, studio, credentials));
  }

  @Test
  void sendsNothingButHelloUntilWelcomed() throws Exception {
    studio.close();
    studio = DevStudio.start(DevStudio.Options.defaults().withWelcomeDelay(Duration.ofMillis(400)));
    WorkerCredentials worker = studio.createWorker();
    try (WorkerHarness harness = approvedWorker(worker)) {
      studio.awaitFrame(worker.workerId(), f -> f.type().equals("heartbeat"), WAIT);

      List<WireFrame> frames = studio.frames(worker.workerId());
      int welcome = indexOf(frames, WireFrame.Direction.SENT, "welcome");
      assertThat(frames.getFirst().type()).isEqualTo("hello");
      assertThat(frames.subList(0, welcome)).extracting(WireFrame::type).containsOnly("hello");
    }
  }

  @Test
  void heartbeatsCarryCapabilitiesAndNoJobIdWhenIdle() throws Exception {
    WorkerCredentials worker = studio.createWorker();
    try (WorkerHarness harness = approvedWorker(worker)) {
      await().atMost(WAIT).until(() -> framesOfType(worker.workerId(), "heartbeat").size() >= 3);

      WireFrame beat = framesOfType(worker.workerId(), "heartbeat").getFirst();
      assertThat(beat.text())
          .contains("\"capabilities\"")
          .contains("\"engine\":\"multi\"")
          .contains("\"synthetic-image\"")
          .contains("\"autoEnabled\":true")
          .doesNotContain("currentJobId");
      assertThat(harness.daemon().board().session()).isInstanceOf(SessionState.Connected.class);
    }
  }

  @Test
  void reconnectsAfterTheStudioRestarts() throws Exception {
    WorkerCredentials worker = studio.createWorker();
    try (WorkerHarness harness = approvedWorker(worker)) {
      studio.awaitConnected(worker.workerId(), WAIT);
      int port = studio.port();

      studio.close();
      await()
          .atMost(WAIT)
          .until(() -> harness.daemon().board().session() instanceof SessionState.Reconnecting);
      studio = DevStudio.start(DevStudio.Options.defaults().withPort(port).withKnownWorker(worker));

      studio.awaitConnected(worker.workerId(), WAIT);
      await()
          .atMost(WAIT)
          .until(() -> harness.daemon().board().session() instanceof SessionState.Connected);
      assertThat(harness.logLines()).anyMatch(line -> line.startsWith("disconnected ("));
    }
  }

  @Test
  void silentStudioIsDetectedByTheReadIdleTimeoutAndTheWorkerReconnects() throws Exception {
    WorkerCredentials worker = studio.createWorker();
    try (WorkerHarness harness = approvedWorker(worker)) {
      studio.awaitConnected(worker.workerId(), WAIT);

      studio.goSilent(worker.workerId());

      await()
          .atMost(WAIT)
          .until(
              () ->
                  harness.logLines().stream()
                      .anyMatch(line -> line.contains("the socket is dead")));
      await()
          .atMost(WAIT)
          .until(
              () ->
                  studio.frames(worker.workerId()).stream()
                      .anyMatch(f -> f.connection() > 1 && f.type().equals("hello")));
    }
  }

  @Test
  void duplicateWorkerErrorIsFatalAndDoesNotReconnect() throws Exception {
    WorkerCredentials worker = studio.createWorker();
    try (WorkerHarness harness = approvedWorker(worker)) {
      studio.awaitConnected(worker.workerId(), WAIT);

      studio.sendError(worker.workerId(), ErrorCode.DUPLICATE_WORKER, "a newer socket took over");

      await().atMost(WAIT).until(harness::hasExited);
      assertThat(harness.awaitExit(WAIT)).isEqualTo(ExitCodes.FAILURE);
      assertThat(harness.logLines())
          .anyMatch(line -> line.contains("duplicate_worker") && line.contains("not reconnecting"));
    }
  }

  @Test
  void refusedTokenStopsWithReRegistrationGuidance() throws Exception {
    WorkerCredentials real = studio.createWorker();
    WorkerCredentials wrong = new WorkerCredentials(real.workerId(), "0".repeat(64));
    try (WorkerHarness harness = approvedWorker(wrong)) {
      assertThat(harness.awaitExit(WAIT)).isEqualTo(ExitCodes.AUTH_FAILED);
      assertThat(harness.daemon().board().session()).isInstanceOf(SessionState.AuthFailed.class);
      assertThat(harness.logLines())
          .anyMatch(line -> line.contains("HTTP 401") && line.contains("register --reset"))
          .noneMatch(line -> line.contains("0".repeat(64)));
    }
  }

  @Test
  void authFailedErrorFrameStopsWithReRegistrationGuidance() throws Exception {
    WorkerCredentials worker = studio.createWorker();
    try (WorkerHarness harness = approvedWorker(worker)) {
      studio.awaitConnected(worker.workerId(), WAIT);

      studio.sendError(worker.workerId(), ErrorCode.AUTH_FAILED, "token revoked");

      assertThat(harness.awaitExit(WAIT)).isEqualTo(ExitCodes.AUTH_FAILED);
    }
  }

  @Test
  void badFramesFromTheStudioAreLoggedAndTheSessionGoesOn() throws Exception {
    WorkerCredentials worker = studio.createWorker();
    try (WorkerHarness harness = approvedWorker(worker)) {
      studio.awaitConnected(worker.workerId(), WAIT);

      studio.sendRawText(worker.workerId(), "{not json");
      studio.sendRawText(worker.workerId(), "{\"type\":\"surprise\"}");
      studio.sendRawBinary(worker.workerId(), new byte[] {1, 2, 3});

      await()
          .atMost(WAIT)
          .until(
              () ->
                  harness.logLines().stream().filter(l -> l.contains("could not decode")).count()
                          >= 2
                      && harness.logLines().stream().anyMatch(l -> l.contains("binary frame")));
      int before = framesOfType(worker.workerId(), "heartbeat").size();
      await()
          .atMost(WAIT)
          .until(() -> framesOfType(worker.workerId(), "heartbeat").size() > before + 2);
      assertThat(harness.daemon().board().session()).isInstanceOf(SessionState.Connected.class);
    }
  }

  @Test
  void oversizedFrameIsLoggedAndTheSessionGoesOn() throws Exception {
    WorkerCredentials worker = studio.createWorker();
    Path config = WorkerHarness.writeConfig(dir, studio, worker);
    WorkerDaemon.Options options =
        WorkerDaemon.Options.of(config, Map.of("HOME", dir.toString()))
            .withSchedule(WorkerHarness.FAST)
            .withSignals(false)
            .withEngines(List.of(new SyntheticExecutorProvider()))
            .withMaxFrameChars(4096);
    try (WorkerHarness harness = WorkerHarness.start(options)) {
      studio.awaitConnected(worker.workerId(), WAIT);

      studio.sendRawText(
          worker.workerId(), "{\"type\":\"heartbeatAck\",\"pad\":\"" + "x".repeat(10_000) + "\"}");

      await()
          .atMost(WAIT)
          .until(
              () ->
                  harness.logLines().stream().anyMatch(l -> l.contains("over the limit of 4096")));
      String jobId =
          studio.submitJob(
              "synthetic-llm",
              1.0,
              Task.Llm.of(List.of(new ChatMessage("user", "still there?"))),
              WorkerHarness.SYNTHETIC);
      assertThat(studio.awaitJobStatus(jobId, JobStatus.COMPLETED, WAIT).status())
          .isEqualTo(JobStatus.COMPLETED);
    }
  }

  @Test
  void offerThatDoesNotDecodeIsTurnedDownSoTheStudioCanRequeueIt() throws Exception {
    WorkerCredentials worker = studio.createWorker();
    try (WorkerHarness harness = approvedWorker(worker)) {
      studio.awaitConnected(worker.workerId(), WAIT);

      studio.sendRawText(
          worker.workerId(),
          "{\"type\":\"offer\",\"claim\":{\"jobId\":\"j-broken\",\"task\":{\"kind\":\"image\"}}}");

      WireFrame reject = studio.awaitFrame(worker.workerId(), f -> f.type().equals("reject"), WAIT);
      assertThat(reject.text()).contains("j-broken").contains("offer could not be decoded");
      assertThat(harness.daemon().board().session()).isInstanceOf(SessionState.Connected.class);
    }
  }

  @Test
  void logLinesAreShippedToTheStudio() throws Exception {
    WorkerCredentials worker = studio.createWorker();
    try (WorkerHarness harness = approvedWorker(worker)) {
      await()
          .atMost(WAIT)
          .until(
              () ->
                  studio.logs(worker.workerId()).stream()
                      .anyMatch(e -> e.message().startsWith("welcomed as " + worker.workerId())));
      assertThat(studio.logs(worker.workerId()))
          .allSatisfy(e -> assertThat(e.category()).doesNotContain("."));
    }
  }

  private List<WireFrame> framesOfType(String workerId, String type) {
    return studio.framesFrom(workerId).stream().filter(f -> f.type().equals(type)).toList();
  }

  private static int indexOf(List<WireFrame> frames, WireFrame.Direction direction, String type) {
    for (int i = 0; i < frames.size(); i++) {
      if (frames.get(i).direction() == direction && frames.get(i).type().equals(type)) {
        return i;
      }
    }
    throw new AssertionError("no " + type + " frame " + direction);
  }
}
