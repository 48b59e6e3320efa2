package org.studioworker.runtime.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.devstudio.DevStudio;
import org.studioworker.devstudio.JobStatus;
import org.studioworker.devstudio.WireFrame;
import org.studioworker.devstudio.WorkerCredentials;
import org.studioworker.spi.ChatMessage;
import org.studioworker.spi.Task;

final class DrainTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;

  private final DevStudio studio = DevStudio.start();
  private final WorkerCredentials worker = studio.createWorker();
  private final GatedEngine engine = new GatedEngine();

  @AfterEach
  void cleanUp() {
    engine.open();
    studio.close();
  }

  private Path configWithDrainTimeout(long seconds) throws Exception {
    Path config = WorkerHarness.writeConfig(dir, studio, worker);
    var store = new org.studioworker.runtime.config.ConfigStore(config);
    store.save(
        new org.studioworker.runtime.config.WorkerConfig.Builder(store.load())
            .drainTimeoutSecs(seconds)
            .build());
    return config;
  }

  private WorkerHarness startWithJobInFlight() throws Exception {
    WorkerHarness harness =
        WorkerHarness.start(
            WorkerHarness.writeConfig(dir, studio, worker), List.of(engine), WorkerHarness.FAST);
    studio.awaitConnected(worker.workerId(), WAIT);
    studio.submitJob(
        "gated-model",
        1.0,
        Task.Llm.of(List.of(new ChatMessage("user", "take your time"))),
        GatedEngine.SOURCE);
    assertThat(engine.awaitStarted(20)).isTrue();
    return harness;
  }

  @Test
  void firstSignalStopsClaimingAndLetsTheJobInFlightFinish() throws Exception {
    try (WorkerHarness harness = startWithJobInFlight()) {
      String jobId = studio.jobs().getFirst().jobId();

      harness.daemon().stop().escalate("SIGTERM");

      WireFrame beat =
          studio.awaitFrame(
              worker.workerId(),
              f -> f.type().equals("heartbeat") && f.text().contains("\"autoEnabled\":false"),
              WAIT);
      assertThat(beat.text()).contains("\"currentJobId\":\"" + jobId + "\"");
      assertThat(harness.hasExited()).isFalse();

      engine.open();

      assertThat(harness.awaitExit(WAIT)).isEqualTo(ExitCodes.OK);
      assertThat(studio.job(jobId).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
    }
  }

  @Test
  void secondSignalFailsTheJobInFlightAsRetryableAndExits() throws Exception {
    assertSecondSignalFailsTheJobAsRetryable();
  }

  private void assertSecondSignalFailsTheJobAsRetryable() throws Exception {
    try (WorkerHarness harness = startWithJobInFlight()) {
      String jobId = studio.jobs().getFirst().jobId();

      harness.daemon().stop().escalate("SIGTERM");
      harness.daemon().stop().escalate("SIGTERM");

      assertThat(harness.awaitExit(WAIT)).isEqualTo(ExitCodes.OK);
      WireFrame fail = studio.awaitFrame(worker.workerId(), f -> f.type().equals("fail"), WAIT);
      assertThat(fail.text()).contains(jobId).contains("\"retryable\":true");
    }
  }

  @Test
  void drainTimeoutFailsTheJobAsRetryable() throws Exception {
    Path config = configWithDrainTimeout(0);
    try (WorkerHarness harness = WorkerHarness.start(config, List.of(engine), WorkerHarness.FAST)) {
      studio.awaitConnected(worker.workerId(), WAIT);
      String jobId =
          studio.submitJob(
              "gated-model",
              1.0,
              Task.Llm.of(List.of(new ChatMessage("user", "never ends"))),
              GatedEngine.SOURCE);
      assertThat(engine.awaitStarted(20)).isTrue();

      harness.daemon().stop().escalate("SIGTERM");

      assertThat(harness.awaitExit(WAIT)).isEqualTo(ExitCodes.OK);
      await()
          .atMost(WAIT)
          .until(
              () ->
                  studio.framesFrom(worker.workerId()).stream()
                      .anyMatch(f -> f.type().equals("fail") && f.text().contains(jobId)));
    }
  }

  @Test
  void drainDeadlineCountsFromTheFirstSignalAndHoldsWhileDisconnected() throws Exception {
    Path config = configWithDrainTimeout(1);
    engine.stubborn(); // its job keeps the slot even once cancelled
    try (WorkerHarness harness = WorkerHarness.start(config, List.of(engine), WorkerHarness.FAST)) {
      studio.awaitConnected(worker.workerId(), WAIT);
      studio.submitJob(
          "gated-model",
          1.0,
          Task.Llm.of(List.of(new ChatMessage("user", "never ends"))),
          GatedEngine.SOURCE);
      assertThat(engine.awaitStarted(20)).isTrue();

      harness.daemon().stop().escalate("SIGTERM");
      studio.close(); // the studio goes away: the worker drains while disconnected

      await()
          .atMost(WAIT)
          .until(
              () ->
                  harness.logLines().stream()
                      .anyMatch(line -> line.startsWith("drain timeout of 1 s reached")));
      engine.open();
      assertThat(harness.awaitExit(WAIT)).isEqualTo(ExitCodes.OK);
    }
  }

  @Test
  void secondSignalFailReachesTheStudioEvenWhenTheEngineKeepsTheInterruptFlag() throws Exception {
    engine.keepInterruptFlag();
    assertSecondSignalFailsTheJobAsRetryable();
  }
}
