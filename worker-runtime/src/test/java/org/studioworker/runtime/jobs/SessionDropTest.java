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
import org.studioworker.devstudio.JobStatus;
import org.studioworker.devstudio.WireFrame;
import org.studioworker.devstudio.WorkerCredentials;
import org.studioworker.runtime.daemon.GatedEngine;
import org.studioworker.runtime.daemon.WorkerHarness;
import org.studioworker.runtime.status.SessionState;
import org.studioworker.spi.ChatMessage;
import org.studioworker.spi.Task;

final class SessionDropTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  private final DevStudio studio = DevStudio.start();
  private final WorkerCredentials worker = studio.createWorker();
  private final GatedEngine engine = new GatedEngine();

  @AfterEach
  void cleanUp() {
    engine.open();
    studio.close();
  }

  @Test
  void jobThatOutlivesItsSocketIsNotReportedOnTheNextOne() throws Exception {
    try (WorkerHarness harness =
        WorkerHarness.start(
            WorkerHarness.writeConfig(dir, studio, worker), List.of(engine), WorkerHarness.FAST)) {
      studio.awaitConnected(worker.workerId(), WAIT);
      String jobId =
          studio.submitJob(
              "gated-model",
              1.0,
              Task.Llm.of(List.of(new ChatMessage("user", "slow one"))),
              GatedEngine.SOURCE);
      assertThat(engine.awaitStarted(20)).isTrue();

      studio.dropSession(worker.workerId());
      await()
          .atMost(WAIT)
          .until(
              () ->
                  studio.framesFrom(worker.workerId()).stream()
                      .anyMatch(f -> f.connection() > 1 && f.type().equals("heartbeat")));
      engine.open();

      // The studio requeued the job when the first socket dropped and offers it again.
      assertThat(studio.awaitJobStatus(jobId, JobStatus.COMPLETED, WAIT).status())
          .isEqualTo(JobStatus.COMPLETED);
      assertThat(studio.frames(worker.workerId()))
          .noneMatch(f -> f.direction() == WireFrame.Direction.SENT && f.type().equals("error"));
      assertThat(harness.logLines())
          .anyMatch(line -> line.contains("the session it was accepted on dropped"));
      assertThat(harness.daemon().board().session()).isInstanceOf(SessionState.Connected.class);
    }
  }
}
