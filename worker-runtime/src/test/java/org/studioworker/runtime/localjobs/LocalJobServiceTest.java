package org.studioworker.runtime.localjobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.executors.synthetic.SyntheticExecutorProvider;
import org.studioworker.runtime.daemon.GatedEngine;
import org.studioworker.runtime.http.StudioHttp;
import org.studioworker.runtime.jobs.EngineRegistry;
import org.studioworker.runtime.jobs.JobGate;
import org.studioworker.runtime.logs.LogRing;
import org.studioworker.runtime.logs.LogSetup;
import org.studioworker.runtime.models.ModelStore;
import org.studioworker.runtime.status.JobRecord;
import org.studioworker.runtime.status.StatusBoard;
import org.studioworker.runtime.status.Traffic;
import org.studioworker.spi.ChatMessage;
import org.studioworker.spi.ChatStream;
import org.studioworker.spi.ExecutorEnvironment;
import org.studioworker.spi.JobResult;
import org.studioworker.spi.Task;
import org.studioworker.spi.TaskKind;
import org.studioworker.spi.image.ImageDecoder;
import tools.jackson.databind.json.JsonMapper;

/** Local jobs on the real synthetic engine, and on a gated one that runs until told to stop. */
final class LocalJobServiceTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;

  private final GatedEngine gated = new GatedEngine();
  private final JobGate gate = new JobGate();
  private final StatusBoard board = new StatusBoard(new LogRing(100));
  private final JobArtifactStore artifacts = new JobArtifactStore();
  private @Nullable EngineRegistry engines;
  private AutoCloseable capture = () -> {};

  @BeforeEach
  void installLogging() {
    LogSetup.install(Map.of(), "test");
    capture = artifacts.capture(LogSetup.ship());
  }

  @AfterEach
  void cleanUp() throws Exception {
    gated.open();
    capture.close();
    if (engines != null) {
      engines.close();
    }
  }

  LocalJobService service() {
    EngineRegistry registry =
        EngineRegistry.of(
            List.of(new SyntheticExecutorProvider(), gated, new StreamingEngine()),
            new ExecutorEnvironment(dir, dir));
    engines = registry;
    return new LocalJobService(
        gate,
        registry,
        new LocalCatalogue(dir.resolve("config.toml"), registry, InstantSource.system()),
        artifacts,
        board,
        dir,
        new ModelStore(
            dir,
            StudioHttp.client(Duration.ofSeconds(1)),
            InstantSource.system(),
            Duration.ofSeconds(1),
            new Traffic()),
        InstantSource.system());
  }

  private static Task.Llm chat(String text) {
    return Task.Llm.of(List.of(new ChatMessage("user", text)));
  }

  @Test
  void anImageJobIsDoneRecordedAsLocalWithAThumbnailAndALog() throws Exception {
    LocalJobService service = service();

    LocalJobs.Outcome outcome = service.run(null, Task.Image.of("a lighthouse"), null, null);

    assertThat(outcome).isInstanceOf(LocalJobs.Outcome.Done.class);
    LocalJobs.Outcome.Done done = (LocalJobs.Outcome.Done) outcome;
    assertThat(done.jobId()).startsWith("local-");
    assertThat(done.model()).startsWith("synthetic");
    JobResult.Binary image = (JobResult.Binary) done.result();
    assertThat(image.ext()).isEqualTo("webp");
    assertThat(ImageDecoder.Format.sniff(image.bytes())).isEqualTo(ImageDecoder.Format.WEBP);
    assertThat(ImageDecoder.decode("result", image.bytes()).width()).isEqualTo(512);

    JobRecord record = service.jobs().getFirst();
    assertThat(record.jobId()).isEqualTo(done.jobId());
    assertThat(record.source()).isEqualTo("local");
    assertThat(record.outcome()).isEqualTo("completed");
    assertThat(record.kind()).isEqualTo(TaskKind.IMAGE);
    assertThat(record.promptPreview()).isEqualTo("a lighthouse");
    assertThat(board.recentJobs()).isEmpty();
    assertThat(board.currentJob()).isEmpty();
    assertThat(gate.isBusy()).isFalse();

    ImageDecoder.Decoded thumbnail =
        ImageDecoder.decode("thumbnail", artifacts.thumbnail(done.jobId()).orElseThrow());
    assertThat(Math.max(thumbnail.width(), thumbnail.height()))
        .isEqualTo(JobArtifacts.THUMBNAIL_SIDE);

    assertThat(artifacts.log(done.jobId()).orElseThrow().lines())
        .extracting(JobArtifacts.Line::message)
        .anySatisfy(line -> assertThat(line).startsWith("local job " + done.jobId() + " started"))
        .anySatisfy(line -> assertThat(line).startsWith("synthetic image for model"))
        .anySatisfy(line -> assertThat(line).startsWith("job finished " + done.jobId()));
  }

  @Test
  void anLlmJobWithAStreamGetsTheSyntheticEnginesAnswerPieceByPiece() throws Exception {
    LocalJobService service = service();
    List<String> pieces = new CopyOnWriteArrayList<>();

    LocalJobs.Outcome outcome =
        service.run("synthetic-llm", chat("Tell me of the sea."), pieces::add, null);

    assertThat(outcome).isInstanceOf(LocalJobs.Outcome.Done.class);
    JobResult.Json json = (JobResult.Json) ((LocalJobs.Outcome.Done) outcome).result();
    String content =
        JsonMapper.builder()
            .build()
            .readTree(json.json().json())
            .path("choices")
            .path(0)
            .path("message")
            .path("content")
            .stringValue();
    assertThat(pieces).hasSizeGreaterThan(1);
    assertThat(String.join("", pieces)).isEqualTo(content);
    assertThat(service.jobs().getFirst().outcome()).isEqualTo("completed");
  }

  @Test
  void anEngineThatCannotStreamSendsItsWholeAnswerAsOnePiece() throws Exception {
    LocalJobService service = service();
    gated.result(
        "{\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":"
            + "{\"role\":\"assistant\",\"content\":\"all at once\"},\"finish_reason\":\"stop\"}]}");
    gated.open();
    List<String> pieces = new CopyOnWriteArrayList<>();

    LocalJobs.Outcome outcome = service.run("gated-model", chat("go"), pieces::add, null);

    assertThat(outcome).isInstanceOf(LocalJobs.Outcome.Done.class);
    assertThat(pieces).containsExactly("all at once");
  }

  @Test
  void aStreamWhoseReaderWentAwayFailsTheJob() throws Exception {
    LocalJobService service = service();
    ChatStream gone =
        piece -> {
          throw new IOException("broken pipe");
        };

    LocalJobs.Outcome outcome = service.run("synthetic-llm", chat("hello"), gone, null);

    assertThat(outcome).isInstanceOf(LocalJobs.Outcome.EngineFailed.class);
    assertThat(((LocalJobs.Outcome.EngineFailed) outcome).message())
        .isEqualTo(LocalJobService.CALLER_GONE_REASON);
    JobRecord record = service.jobs().getFirst();
    assertThat(record.outcome()).isEqualTo("failed");
    assertThat(record.detail()).isEqualTo("the caller went away");
    assertThat(gate.isBusy()).isFalse();
  }

  @Test
  void aJobWhileTheGateIsHeldIsBusyAtOnce() throws Exception {
    LocalJobService service = service();
    try (JobGate.Permit held = gate.tryReserve("update").orElseThrow()) {
      assertThat(service.run(null, Task.Image.of("x"), null, null))
          .isEqualTo(new LocalJobs.Outcome.Busy("update"));
    }
    assertThat(service.jobs()).isEmpty();
    assertThat(service.run(null, Task.Image.of("x"), null, null))
        .isInstanceOf(LocalJobs.Outcome.Done.class);
  }

  @Test
  void whenTheDeadlinePassesTheJobIsStoppedAndRecordedFailed() throws Exception {
    LocalJobService service = service();

    LocalJobs.Outcome outcome =
        service.run("gated-model", chat("wait"), null, Instant.now().plusMillis(300));

    assertThat(gated.awaitStarted(0)).isTrue();
    assertThat(outcome).isInstanceOf(LocalJobs.Outcome.DeadlinePassed.class);
    String jobId = ((LocalJobs.Outcome.DeadlinePassed) outcome).jobId();
    JobRecord record = service.jobs().getFirst();
    assertThat(record.jobId()).isEqualTo(jobId);
    assertThat(record.outcome()).isEqualTo("failed");
    assertThat(record.detail()).isEqualTo("deadline passed: the caller stopped waiting");
    assertThat(gate.isBusy()).isFalse();
    assertThat(board.currentJob()).isEmpty();
  }

  @Test
  void whileItRunsTheJobIsTheBoardsCurrentJobAndTheDaemonCanStopIt() throws Exception {
    LocalJobService service = service();
    CompletableFuture<LocalJobs.Outcome> running =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return service.run("gated-model", chat("wait"), null, null);
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    assertThat(gated.awaitStarted(20)).isTrue();
    String jobId = service.currentJobId().orElseThrow();
    assertThat(board.currentJob().orElseThrow().jobId()).isEqualTo(jobId);
    assertThat(board.currentJob().orElseThrow().engine()).isEqualTo("gated");
    assertThat(gate.holder()).isEqualTo(jobId);

    assertThat(service.cancelRunning(WAIT)).isTrue();

    assertThat(running.get(20, TimeUnit.SECONDS))
        .isEqualTo(new LocalJobs.Outcome.EngineFailed(jobId, LocalJobService.STOPPED_REASON));
    assertThat(service.jobs().getFirst().outcome()).isEqualTo("cancelled");
    assertThat(gate.isBusy()).isFalse();
    assertThat(service.currentJobId()).isEmpty();
    assertThat(service.cancelRunning(WAIT)).isTrue();
  }

  @Test
  void aJobThatFinishesBeforeItsDeadlineIsDone() throws Exception {
    LocalJobService service = service();
    gated.open();

    LocalJobs.Outcome outcome =
        service.run("gated-model", chat("go"), null, Instant.now().plus(WAIT));

    assertThat(outcome).isInstanceOf(LocalJobs.Outcome.Done.class);
  }

  @Test
  void badModelsAreBadInputAndNoJob() throws Exception {
    LocalJobService service = service();

    assertThat(service.run("flux-dev", Task.Image.of("x"), null, null))
        .isInstanceOfSatisfying(
            LocalJobs.Outcome.BadInput.class,
            bad -> assertThat(bad.message()).startsWith("unknown model flux-dev; known: "));
    assertThat(service.run("synthetic-llm", Task.Image.of("x"), null, null))
        .isEqualTo(
            new LocalJobs.Outcome.BadInput("model synthetic-llm serves llm jobs, not image"));
    assertThat(service.jobs()).isEmpty();
    assertThat(gate.isBusy()).isFalse();
  }

  @Test
  void anEngineThatRefusesTheJobIsBadInputAndAMissingEngineFailsTheJob() throws Exception {
    Files.writeString(
        dir.resolve(LocalCatalogue.FILE_NAME),
        """
        {"models":[
          {"model":"real-flux","kind":"image","source":"operator",
           "modelSource":{"engine":"synthetic","files":[],
             "cliDefaults":{"cfgScale":1,"steps":1,"width":64,"height":64}}},
          {"model":"elsewhere","kind":"image","source":"operator",
           "modelSource":{"engine":"not-here","files":[],
             "cliDefaults":{"cfgScale":1,"steps":1,"width":64,"height":64}}}]}
        """,
        StandardCharsets.UTF_8);
    LocalJobService service = service();

    // The synthetic engine never claims a real model.
    assertThat(service.run("real-flux", Task.Image.of("x"), null, null))
        .isInstanceOfSatisfying(
            LocalJobs.Outcome.BadInput.class,
            bad -> assertThat(bad.message()).contains("the synthetic engine serves only"));
    LocalJobs.Outcome missing = service.run("elsewhere", Task.Image.of("x"), null, null);
    assertThat(missing)
        .isInstanceOfSatisfying(
            LocalJobs.Outcome.EngineFailed.class,
            failed -> assertThat(failed.message()).isEqualTo("engine not-here is not installed"));
    assertThat(service.jobs()).extracting(JobRecord::outcome).containsExactly("failed", "failed");
    await().atMost(WAIT).until(() -> !gate.isBusy());
  }

  @Test
  void aStreamingEnginesPiecesReachTheCallerOnceEach() throws Exception {
    LocalJobService service = service();
    List<String> pieces = new CopyOnWriteArrayList<>();

    LocalJobs.Outcome outcome = service.run("streaming-model", chat("sea?"), pieces::add, null);

    assertThat(outcome).isInstanceOf(LocalJobs.Outcome.Done.class);
    assertThat(pieces).containsExactlyElementsOf(StreamingEngine.PIECES);
  }

  @Test
  void aReaderGoneWhileTheEngineStreamsFailsTheJobAsTheCallerGone() throws Exception {
    LocalJobService service = service();
    List<String> pieces = new CopyOnWriteArrayList<>();
    ChatStream breaksOnTheSecond =
        piece -> {
          if (!pieces.isEmpty()) {
            throw new IOException("broken pipe");
          }
          pieces.add(piece);
        };

    LocalJobs.Outcome outcome =
        service.run("streaming-model", chat("sea?"), breaksOnTheSecond, null);

    assertThat(outcome)
        .isInstanceOfSatisfying(
            LocalJobs.Outcome.EngineFailed.class,
            failed -> assertThat(failed.message()).isEqualTo("the caller went away"));
    assertThat(service.jobs().getFirst().detail()).isEqualTo("the caller went away");
    assertThat(artifacts.log(service.jobs().getFirst().jobId()).orElseThrow().lines())
        .extracting(JobArtifacts.Line::message)
        .contains("the reader went away; stopping");
  }

  @Test
  void wildcardModelsAreNotInTheCatalogue() {
    service();
    LocalCatalogue catalogue =
        new LocalCatalogue(
            dir.resolve("config.toml"),
            java.util.Objects.requireNonNull(engines),
            InstantSource.system());

    assertThat(catalogue.entries())
        .extracting(LocalCatalogue.Entry::model)
        .contains("streaming-model")
        .doesNotContain("streaming:*");
  }

  @Test
  void theDaemonStoppingInterruptsTheCallerAndStopsTheJob() throws Exception {
    LocalJobService service = service();
    CompletableFuture<Throwable> thrown = new CompletableFuture<>();
    Thread caller =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    service.run("gated-model", chat("wait"), null, null);
                    thrown.complete(new AssertionError("returned"));
                  } catch (InterruptedException | RuntimeException e) {
                    thrown.complete(e);
                  }
                });
    assertThat(gated.awaitStarted(20)).isTrue();

    caller.interrupt();

    assertThat(thrown.get(20, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
    JobRecord record = service.jobs().getFirst();
    assertThat(record.outcome()).isEqualTo("cancelled");
    assertThat(record.detail()).isEqualTo(LocalJobService.STOPPED_REASON);
    assertThat(gate.isBusy()).isFalse();
    assertThat(board.currentJob()).isEmpty();
  }
}
