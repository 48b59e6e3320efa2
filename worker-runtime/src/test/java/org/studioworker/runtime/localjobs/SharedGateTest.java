package org.studioworker.runtime.localjobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.devstudio.DevStudio;
import org.studioworker.devstudio.JobSnapshot;
import org.studioworker.devstudio.JobStatus;
import org.studioworker.devstudio.WorkerCredentials;
import org.studioworker.executors.synthetic.SyntheticExecutorProvider;
import org.studioworker.protocol.FrameCodec;
import org.studioworker.protocol.RejectCode;
import org.studioworker.protocol.WorkerFrame;
import org.studioworker.runtime.daemon.GatedEngine;
import org.studioworker.runtime.daemon.WorkerHarness;
import org.studioworker.runtime.http.StudioHttp;
import org.studioworker.runtime.jobs.EngineRegistry;
import org.studioworker.runtime.jobs.FrameSender;
import org.studioworker.runtime.jobs.JobGate;
import org.studioworker.runtime.jobs.JobRunner;
import org.studioworker.runtime.jobs.ResultUploader;
import org.studioworker.runtime.logs.LogRing;
import org.studioworker.runtime.models.ModelStore;
import org.studioworker.runtime.status.StatusBoard;
import org.studioworker.runtime.status.Traffic;
import org.studioworker.spi.ChatMessage;
import org.studioworker.spi.Claim;
import org.studioworker.spi.ExecutorEnvironment;
import org.studioworker.spi.JobResult;
import org.studioworker.spi.Task;
import org.studioworker.spi.image.ImageDecoder;

/**
 * Studio and local jobs share the one job gate; a completed studio job leaves its model in the
 * catalogue and its image's thumbnail.
 */
final class SharedGateTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;

  private final GatedEngine gated = new GatedEngine();
  private final JobGate gate = new JobGate();
  private final StatusBoard board = new StatusBoard(new LogRing(100));
  private final JobArtifactStore artifacts = new JobArtifactStore();
  private final List<WorkerFrame> sent = new CopyOnWriteArrayList<>();
  private @Nullable EngineRegistry engines;

  @AfterEach
  void cleanUp() {
    gated.open();
    if (engines != null) {
      engines.close();
    }
  }

  private EngineRegistry engines() {
    EngineRegistry registry = engines;
    if (registry == null) {
      registry =
          EngineRegistry.of(
              List.of(new SyntheticExecutorProvider(), gated), new ExecutorEnvironment(dir, dir));
      engines = registry;
    }
    return registry;
  }

  private ModelStore models() {
    return new ModelStore(
        dir,
        StudioHttp.client(Duration.ofSeconds(1)),
        InstantSource.system(),
        Duration.ofSeconds(1),
        new Traffic());
  }

  private LocalCatalogue catalogue() {
    return new LocalCatalogue(dir.resolve("config.toml"), engines(), InstantSource.system());
  }

  private LocalJobService service() {
    return new LocalJobService(
        gate, engines(), catalogue(), artifacts, board, dir, models(), InstantSource.system());
  }

  private JobRunner runner() {
    FrameSender recorder =
        new FrameSender() {
          @Override
          public @Nullable String send(WorkerFrame frame, long generation) {
            sent.add(frame);
            return null;
          }

          @Override
          public long generation() {
            return 1;
          }
        };
    return new JobRunner(
        gate,
        engines(),
        new ResultUploader(
            StudioHttp.client(Duration.ofSeconds(1)),
            URI.create("http://127.0.0.1:9/graphics/api"),
            Duration.ofSeconds(1),
            List.of(),
            new Traffic()),
        recorder,
        new FrameCodec(),
        board,
        () -> false,
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
        models(),
        estimate -> null,
        InstantSource.system(),
        new StudioJobHook(catalogue(), artifacts));
  }

  private static Task.Llm chat(String text) {
    return Task.Llm.of(List.of(new ChatMessage("user", text)));
  }

  @Test
  void aStudioOfferDuringALocalJobIsRejectedBusy() throws Exception {
    LocalJobService service = service();
    JobRunner runner = runner();
    CompletableFuture<LocalJobs.Outcome> local =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return service.run("gated-model", chat("wait"), null, null);
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    assertThat(gated.awaitStarted(20)).isTrue();

    runner.onOffer(
        new Claim("s-1", "game", "asset", "gated-model", 1.0, chat("p"), GatedEngine.SOURCE), 1);

    assertThat(sent)
        .containsExactly(new WorkerFrame.Reject("s-1", JobRunner.BUSY_REASON, RejectCode.BUSY));
    gated.open();
    assertThat(local.get(20, TimeUnit.SECONDS)).isInstanceOf(LocalJobs.Outcome.Done.class);
    assertThat(gate.isBusy()).isFalse();
  }

  @Test
  void aLocalJobDuringAStudioJobIsBusy() throws Exception {
    LocalJobService service = service();
    JobRunner runner = runner();
    runner.onOffer(
        new Claim("s-1", "game", "asset", "gated-model", 1.0, chat("p"), GatedEngine.SOURCE), 1);
    assertThat(gated.awaitStarted(20)).isTrue();

    assertThat(service.run(null, Task.Image.of("x"), null, null))
        .isEqualTo(new LocalJobs.Outcome.Busy("s-1"));

    gated.open();
    await().atMost(WAIT).until(() -> !runner.isBusy());
    assertThat(service.jobs()).isEmpty();
  }

  @Test
  void theStudioHookRemembersTheModelAndMakesAThumbnail() throws Exception {
    StudioJobHook hook = new StudioJobHook(catalogue(), artifacts);
    LocalJobs.Outcome done = service().run("synthetic-image", Task.Image.of("a fox"), null, null);
    JobResult.Binary image = (JobResult.Binary) ((LocalJobs.Outcome.Done) done).result();
    Claim claim =
        new Claim(
            "s-image",
            "game",
            "asset",
            "synthetic-image",
            1.0,
            Task.Image.of("a fox"),
            WorkerHarness.SYNTHETIC);

    hook.completed(claim, image);

    assertThat(catalogue().fileEntries())
        .singleElement()
        .satisfies(
            entry -> {
              assertThat(entry.model()).isEqualTo("synthetic-image");
              assertThat(entry.source()).isEqualTo(LocalCatalogue.STUDIO);
            });
    assertThat(
            ImageDecoder.decode("thumbnail", artifacts.thumbnail("s-image").orElseThrow()).width())
        .isEqualTo(JobArtifacts.THUMBNAIL_SIDE);
  }

  @Test
  void aDaemonRemembersTheModelOfACompletedStudioJob() throws Exception {
    try (DevStudio studio = DevStudio.start()) {
      WorkerCredentials worker = studio.createWorker();
      Path config = WorkerHarness.writeConfig(dir, studio, worker);
      try (WorkerHarness harness = WorkerHarness.start(config)) {
        studio.awaitConnected(worker.workerId(), WAIT);
        String jobId =
            studio.submitJob(
                "synthetic-image", 1.0, Task.Image.of("a fox"), WorkerHarness.SYNTHETIC);
        JobSnapshot done =
            studio.awaitJob(
                jobId,
                s -> s.status() == JobStatus.COMPLETED || s.status() == JobStatus.FAILED,
                WAIT);
        assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);

        Path file = dir.resolve(LocalCatalogue.FILE_NAME);
        await().atMost(WAIT).until(() -> Files.exists(file));
        assertThat(Files.readString(file)).contains("\"synthetic-image\"").contains("\"studio\"");
      }
    }
  }
}
