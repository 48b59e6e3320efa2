package org.studioworker.runtime.jobs;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.protocol.FrameCodec;
import org.studioworker.protocol.RejectCode;
import org.studioworker.protocol.WorkerFrame;
import org.studioworker.runtime.daemon.GatedEngine;
import org.studioworker.runtime.http.StandInServer;
import org.studioworker.runtime.http.StudioHttp;
import org.studioworker.runtime.logs.LogRing;
import org.studioworker.runtime.models.ModelStore;
import org.studioworker.runtime.status.StatusBoard;
import org.studioworker.runtime.status.Traffic;
import org.studioworker.spi.ChatMessage;
import org.studioworker.spi.Claim;
import org.studioworker.spi.ExecutorEnvironment;
import org.studioworker.spi.Task;

final class JobRunnerTest {
  @TempDir Path dir;

  private final GatedEngine engine = new GatedEngine();
  private final List<WorkerFrame> sent = new CopyOnWriteArrayList<>();
  private final AtomicBoolean paused = new AtomicBoolean();
  private final AtomicLong generation = new AtomicLong(1);
  private final StatusBoard board = new StatusBoard(new LogRing(10));

  @AfterEach
  void openGate() {
    engine.open();
  }

  private JobRunner runner() {
    // Nothing listens on the discard port: every upload fails at once.
    return runner(URI.create("http://127.0.0.1:9/graphics/api"));
  }

  private JobRunner runner(URI apiBase) {
    EngineRegistry engines = EngineRegistry.of(List.of(engine), new ExecutorEnvironment(dir, dir));
    FrameSender recorder =
        new FrameSender() {
          @Override
          public @Nullable String send(WorkerFrame frame, long generation) {
            if (generation != JobRunnerTest.this.generation.get()) {
              return "the session it belongs to has ended";
            }
            sent.add(frame);
            return null;
          }

          @Override
          public long generation() {
            return JobRunnerTest.this.generation.get();
          }
        };
    return new JobRunner(
        new JobGate(),
        engines,
        new ResultUploader(
            StudioHttp.client(Duration.ofSeconds(1)),
            apiBase,
            Duration.ofSeconds(5),
            List.of(),
            new Traffic()),
        recorder,
        new FrameCodec(),
        board,
        paused::get,
        () -> null,
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
            Duration.ofSeconds(1),
            new Traffic()),
        estimate -> estimate > 8.0 ? "insufficient free VRAM: need " + estimate + " GB" : null,
        InstantSource.system(),
        JobRunner.Completed.NONE);
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
    runner.onOffer(claim("j-1", "first"), 1);
    assertThat(engine.awaitStarted(10)).isTrue();

    runner.onOffer(claim("j-2", "second"), 1);

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

    runner.onOffer(big, 1);

    assertThat(sent)
        .containsExactly(
            new WorkerFrame.Reject("j-big", "insufficient free VRAM: need 9.5 GB", null));
    assertThat(runner.isBusy()).isFalse();
  }

  @Test
  void pausedRunnerRejectsWithThePausedCodeAndTakesNoSlot() throws Exception {
    JobRunner runner = runner();
    paused.set(true);

    runner.onOffer(claim("j-1", "first"), 1);

    assertThat(sent)
        .containsExactly(new WorkerFrame.Reject("j-1", JobRunner.PAUSED_REASON, RejectCode.PAUSED));
    assertThat(runner.isBusy()).isFalse();
  }

  @Test
  void finishedJobIsRecordedNewestFirstAndTheSlotIsFreed() throws Exception {
    JobRunner runner = runner();
    String prompt = "p".repeat(300);
    runner.onOffer(claim("j-1", prompt), 1);
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

  private static Claim claim(String jobId, double vramGb) {
    return new Claim(
        jobId,
        "game",
        "asset",
        "gated-model",
        vramGb,
        Task.Llm.of(List.of(new ChatMessage("user", "p"))),
        GatedEngine.SOURCE);
  }

  @Test
  void busyWorkerAnswersBusyEvenWhenTheOfferWouldNotFitTheVram() throws Exception {
    JobRunner runner = runner();
    runner.onOffer(claim("j-1", "first"), 1);
    assertThat(engine.awaitStarted(10)).isTrue();

    runner.onOffer(claim("j-big", 9.5), 1);

    assertThat(sent)
        .containsExactly(
            new WorkerFrame.Accept("j-1"),
            new WorkerFrame.Reject("j-big", JobRunner.BUSY_REASON, RejectCode.BUSY));
  }

  @Test
  void vramHeldByTheEnginesResidentModelCountsAsAvailable() throws Exception {
    JobRunner runner = runner();
    // The check refuses anything over 8 GB; the resident model covers 2 GB of the 9.5 asked.
    engine.resident(2.0);

    runner.onOffer(claim("j-1", 9.5), 1);

    assertThat(sent).containsExactly(new WorkerFrame.Accept("j-1"));
  }

  @Test
  void residentModelThatCoversTheEstimateIsAcceptedWithoutReadingTheGpus() throws Exception {
    JobRunner runner = runner();
    engine.resident(12.0);

    runner.onOffer(claim("j-1", 12.0), 1);

    assertThat(sent).containsExactly(new WorkerFrame.Accept("j-1"));
  }

  @Test
  void residentMemoryTooSmallStillRefusesAndSaysWhatItCounted() throws Exception {
    JobRunner runner = runner();
    engine.resident(0.5);

    runner.onOffer(claim("j-1", 9.5), 1);

    assertThat(sent)
        .singleElement()
        .isInstanceOfSatisfying(
            WorkerFrame.Reject.class,
            reject -> {
              assertThat(reject.code()).isNull();
              assertThat(reject.reason()).contains("after counting 0.5 GB held by the resident");
            });
    assertThat(runner.isBusy()).isFalse();
  }

  @Test
  void completeJsonOverTheFrameCapFailsAsNotRetryableNamingTheSize() throws Exception {
    JobRunner runner = runner();
    String big = "{\"text\":\"" + "x".repeat(FrameCodec.MAX_FRAME_CHARS) + "\"}";
    engine.result(big);
    engine.open();

    runner.onOffer(claim("j-1", "first"), 1);

    await().atMost(Duration.ofSeconds(20)).until(() -> !runner.isBusy());
    assertThat(sent)
        .last()
        .isInstanceOfSatisfying(
            WorkerFrame.Fail.class,
            fail -> {
              assertThat(fail.retryable()).isFalse();
              assertThat(fail.error())
                  .contains(big.length() + " characters, over the frame limit of");
            });
  }

  @Test
  void jobWhoseSocketEndedIsStoppedAndReportsNothing() throws Exception {
    JobRunner runner = runner();
    runner.onOffer(claim("j-1", "first"), 1);
    assertThat(engine.awaitStarted(10)).isTrue();

    generation.set(2); // the socket of generation 1 dropped; a new one is live
    runner.abandon(1);

    await().atMost(Duration.ofSeconds(10)).until(() -> !runner.isBusy());
    assertThat(sent).containsExactly(new WorkerFrame.Accept("j-1"));
    assertThat(board.recentJobs())
        .singleElement()
        .satisfies(job -> assertThat(job.outcome()).isEqualTo("abandoned"));
  }

  @Test
  void cancelledJobStillSendsItsFailFrame() throws Exception {
    JobRunner runner = runner();
    runner.onOffer(claim("j-1", "first"), 1);
    assertThat(engine.awaitStarted(10)).isTrue();

    assertThat(runner.cancelInFlight(Duration.ofSeconds(10))).isTrue();

    assertThat(sent)
        .containsExactly(
            new WorkerFrame.Accept("j-1"),
            new WorkerFrame.Fail("j-1", "the worker stopped before the job finished", true));
  }

  // --- a result handed over as a file is deleted once the runtime is done with it ---

  private static final byte[] IMAGE = "RIFF....WEBPVP8L a file result".getBytes(ISO_8859_1);

  @Test
  void fileResultIsUploadedFromDiskAndDeletedOnceDelivered() throws Exception {
    Path result = Files.write(dir.resolve("result-1.webp"), IMAGE);
    List<String> bodies = new CopyOnWriteArrayList<>();
    try (StandInServer studio =
        StandInServer.start(
            (exchange, self) -> {
              bodies.add(new String(exchange.getRequestBody().readAllBytes(), ISO_8859_1));
              StandInServer.reply(exchange, 200, "{\"ok\":true}");
            })) {
      JobRunner runner = runner(studio.url().resolve("/graphics/api"));
      engine.fileResult(result, "webp");
      engine.open();

      runner.onOffer(claim("j-1", "first"), 1);

      await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(result));
      assertThat(board.recentJobs())
          .singleElement()
          .satisfies(job -> assertThat(job.outcome()).isEqualTo("completed"));
      assertThat(bodies)
          .singleElement()
          .asString()
          .contains("filename=\"j-1.webp\"")
          .contains(new String(IMAGE, ISO_8859_1));
      assertThat(sent).containsExactly(new WorkerFrame.Accept("j-1"));
    }
  }

  @Test
  void fileResultIsDeletedWhenItsUploadFailedForGood() throws Exception {
    Path result = Files.write(dir.resolve("result-2.webp"), IMAGE);
    JobRunner runner = runner();
    engine.fileResult(result, "webp");
    engine.open();

    runner.onOffer(claim("j-1", "first"), 1);

    await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(result));
    assertThat(sent)
        .last()
        .isInstanceOfSatisfying(
            WorkerFrame.Fail.class,
            fail -> {
              assertThat(fail.retryable()).isTrue();
              assertThat(fail.error()).contains("upload failed after 1 attempts");
            });
  }

  @Test
  void fileResultIsDeletedWhenTheJobIsCancelledWhileUploading() throws Exception {
    Path result = Files.write(dir.resolve("result-3.webp"), IMAGE);
    CountDownLatch reached = new CountDownLatch(1);
    CountDownLatch hold = new CountDownLatch(1);
    try (StandInServer studio =
        StandInServer.start(
            (exchange, self) -> {
              reached.countDown();
              hold.await(30, TimeUnit.SECONDS);
            })) {
      JobRunner runner = runner(studio.url().resolve("/graphics/api"));
      engine.fileResult(result, "webp");
      engine.open();
      runner.onOffer(claim("j-1", "first"), 1);
      assertThat(reached.await(10, TimeUnit.SECONDS)).as("the upload reached the studio").isTrue();

      assertThat(runner.cancelInFlight(Duration.ofSeconds(10))).isTrue();

      assertThat(result).doesNotExist();
      assertThat(board.recentJobs())
          .singleElement()
          .satisfies(job -> assertThat(job.outcome()).isEqualTo("cancelled"));
    } finally {
      hold.countDown();
    }
  }
}
