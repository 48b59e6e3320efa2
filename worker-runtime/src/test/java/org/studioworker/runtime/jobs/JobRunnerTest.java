package org.studioworker.runtime.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.protocol.FrameCodec;
import org.studioworker.protocol.RejectCode;
import org.studioworker.protocol.WorkerFrame;
import org.studioworker.runtime.daemon.GatedEngine;
import org.studioworker.runtime.http.StudioHttp;
import org.studioworker.runtime.logs.LogRing;
import org.studioworker.runtime.models.ModelStore;
import org.studioworker.runtime.status.StatusBoard;
import org.studioworker.spi.ChatMessage;
import org.studioworker.spi.Claim;
import org.studioworker.spi.ExecutorEnvironment;
import org.studioworker.spi.Task;

final class JobRunnerTest {
  @TempDir Path dir;

  private final GatedEngine engine = new GatedEngine();
  private final List<WorkerFrame> sent = new CopyOnWriteArrayList<>();
  private final AtomicBoolean paused = new AtomicBoolean();
  private final StatusBoard board = new StatusBoard(new LogRing(10));

  @AfterEach
  void openGate() {
    engine.open();
  }

  private JobRunner runner() {
    EngineRegistry engines = EngineRegistry.of(List.of(engine), new ExecutorEnvironment(dir, dir));
    FrameSender recorder =
        new FrameSender() {
          @Override
          public @Nullable String send(WorkerFrame frame) {
            sent.add(frame);
            return null;
          }

          @Override
          public long generation() {
            return 1;
          }
        };
    return new JobRunner(
        new JobGate(),
        engines,
        new ResultUploader(
            StudioHttp.client(Duration.ofSeconds(1)),
            URI.create("http://127.0.0.1:9/graphics/api"),
            Duration.ofSeconds(1),
            List.of()),
        recorder,
        new FrameCodec(),
        board,
        paused::get,
        new JobRunner.Delivery() {
          @Override
          public String workerId() {
            return "w-1";
          }

          @Override
          public String authToken() {
            return "t".repeat(64);
          }
        },
        dir,
        new ModelStore(
            dir,
            StudioHttp.client(Duration.ofSeconds(1)),
            InstantSource.system(),
            Duration.ofSeconds(1)),
        estimate -> estimate > 8.0 ? "insufficient free VRAM: need " + estimate + " GB" : null,
        InstantSource.system());
  }

  private static Claim claim(String jobId, String prompt) {
    return new Claim(
        jobId,
        "game",
        "asset",
        "gated-model",
        1.0,
        Task.Llm.of(List.of(new ChatMessage("user", prompt))),
        GatedEngine.SOURCE);
  }

  @Test
  void secondOfferWhileAJobRunsIsRejectedAsBusy() throws Exception {
    JobRunner runner = runner();
    runner.onOffer(claim("j-1", "first"));
    assertThat(engine.awaitStarted(10)).isTrue();

    runner.onOffer(claim("j-2", "second"));

    assertThat(sent)
        .contains(new WorkerFrame.Accept("j-1"))
        .contains(new WorkerFrame.Reject("j-2", JobRunner.BUSY_REASON, RejectCode.BUSY));
    assertThat(board.currentJob())
        .hasValueSatisfying(job -> assertThat(job.jobId()).isEqualTo("j-1"));
  }

  @Test
  void offerThatDoesNotFitFreeVramIsRejectedWithoutACode() throws Exception {
    JobRunner runner = runner();
    Claim big =
        new Claim(
            "j-big",
            "game",
            "asset",
            "gated-model",
            9.5,
            Task.Llm.of(List.of(new ChatMessage("user", "large"))),
            GatedEngine.SOURCE);

    runner.onOffer(big);

    assertThat(sent)
        .containsExactly(
            new WorkerFrame.Reject("j-big", "insufficient free VRAM: need 9.5 GB", null));
    assertThat(runner.isBusy()).isFalse();
  }

  @Test
  void pausedRunnerRejectsWithThePausedCodeAndTakesNoSlot() throws Exception {
    JobRunner runner = runner();
    paused.set(true);

    runner.onOffer(claim("j-1", "first"));

    assertThat(sent)
        .containsExactly(new WorkerFrame.Reject("j-1", JobRunner.PAUSED_REASON, RejectCode.PAUSED));
    assertThat(runner.isBusy()).isFalse();
  }

  @Test
  void finishedJobIsRecordedNewestFirstAndTheSlotIsFreed() throws Exception {
    JobRunner runner = runner();
    String prompt = "p".repeat(300);
    runner.onOffer(claim("j-1", prompt));
    assertThat(engine.awaitStarted(10)).isTrue();
    assertThat(board.currentJob().orElseThrow().promptPreview()).hasSize(201);

    engine.open();

    await().atMost(Duration.ofSeconds(10)).until(() -> !runner.isBusy());
    assertThat(board.currentJob()).isEmpty();
    assertThat(board.recentJobs()).extracting(r -> r.jobId()).containsExactly("j-1");
    assertThat(sent)
        .filteredOn(f -> f instanceof WorkerFrame.CompleteJson)
        .singleElement()
        .satisfies(f -> assertThat(((WorkerFrame.CompleteJson) f).prompt()).isEqualTo(prompt));
  }
}
