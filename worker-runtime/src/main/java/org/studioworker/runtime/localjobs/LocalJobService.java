package org.studioworker.runtime.localjobs;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.studioworker.runtime.jobs.EngineRegistry;
import org.studioworker.runtime.jobs.JobGate;
import org.studioworker.runtime.jobs.ResultFiles;
import org.studioworker.runtime.jobs.RuntimeJobContext;
import org.studioworker.runtime.logs.ShipAppender;
import org.studioworker.runtime.models.ModelStore;
import org.studioworker.runtime.status.CurrentJob;
import org.studioworker.runtime.status.JobRecord;
import org.studioworker.runtime.status.StatusBoard;
import org.studioworker.spi.ChatStream;
import org.studioworker.spi.Claim;
import org.studioworker.spi.Executor;
import org.studioworker.spi.ExecutorException;
import org.studioworker.spi.JobResult;
import org.studioworker.spi.Task;
import org.studioworker.spi.TaskKind;
import org.studioworker.spi.UnsupportedJobException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The daemon's {@link LocalJobs}: one local job at a time, through the one {@link JobGate} that
 * studio jobs take too.
 *
 * <p>{@link #run} takes the gate (or answers {@link Outcome.Busy} at once), picks the model in the
 * {@link LocalCatalogue}, and runs the engine on a virtual thread of its own while the calling
 * thread waits, up to the caller's deadline: past it the job is cancelled (its context says so and
 * its thread is interrupted) and recorded failed. While it runs the {@link StatusBoard} shows it as
 * the current job; when it ends it is recorded there with source {@code local}, and an image result
 * gets a thumbnail in the {@link JobArtifactStore}. The engine logs with the job id in the MDC, so
 * its lines are in the job's log. Thread-safe.
 */
public final class LocalJobService implements LocalJobs {
  private static final Logger log = LoggerFactory.getLogger("jobs");

  /** The reason recorded for a job whose caller's deadline passed. */
  public static final String DEADLINE_REASON = "deadline passed: the caller stopped waiting";

  /** The reason recorded for a streamed job whose reader went away. */
  public static final String CALLER_GONE_REASON = "the caller went away";

  /** The reason recorded for a job the worker stopped (shutdown). */
  public static final String STOPPED_REASON = "the worker stopped before the job finished";

  /** The {@link Claim#gameId} and {@link Claim#assetName} of a local job. */
  public static final String LOCAL = "local";

  /** Why 10 s? Engines stop a process tree with a grace of a few seconds, then kill it. */
  private static final Duration STOP_WAIT = Duration.ofSeconds(10);

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final JobGate gate;
  private final EngineRegistry engines;
  private final LocalCatalogue catalogue;
  private final JobArtifactStore artifacts;
  private final StatusBoard board;
  private final Path modelsRoot;
  private final ModelStore models;
  private final InstantSource clock;
  private final SecureRandom random = new SecureRandom();

  /** Why a running job is being stopped. */
  private enum Stop {
    DEADLINE,
    WORKER
  }

  /**
   * The local job in flight.
   *
   * @param stop why it is being stopped, null while it is not
   * @param done counted down once the job is recorded and the gate released
   */
  private record Running(
      String jobId, Thread engine, AtomicReference<@Nullable Stop> stop, CountDownLatch done) {}

  private final AtomicReference<@Nullable Running> running = new AtomicReference<>();

  /**
   * The service of the daemon.
   *
   * @param gate the daemon's one job gate, shared with the {@code JobRunner}
   * @param engines the daemon's engines
   * @param catalogue the local models ({@code new LocalCatalogue(configPath, engines, clock)})
   * @param artifacts where job logs and thumbnails are kept (shared with the studio jobs' hook)
   * @param board the daemon's read model: the current job and the local jobs' ring
   * @param modelsRoot the models root of the config
   * @param models the daemon's model store (the one the {@code JobRunner} uses)
   */
  public LocalJobService(
      JobGate gate,
      EngineRegistry engines,
      LocalCatalogue catalogue,
      JobArtifactStore artifacts,
      StatusBoard board,
      Path modelsRoot,
      ModelStore models,
      InstantSource clock) {
    this.gate = gate;
    this.engines = engines;
    this.catalogue = catalogue;
    this.artifacts = artifacts;
    this.board = board;
    this.modelsRoot = modelsRoot;
    this.models = models;
    this.clock = clock;
  }

  @Override
  public List<JobRecord> jobs() {
    return board.localJobs();
  }

  /** The id of the local job in flight, if any. */
  public Optional<String> currentJobId() {
    Running now = running.get();
    return now == null ? Optional.empty() : Optional.of(now.jobId());
  }

  /**
   * Stops the local job in flight, if any (for the daemon's shutdown): its context reports it
   * cancelled and its engine's thread is interrupted; it is recorded {@code cancelled} and its
   * caller gets {@link Outcome.EngineFailed}. Waits up to {@code wait} for it to be recorded and
   * the gate released.
   *
   * @return true when no local job is in flight any more
   */
  public boolean cancelRunning(Duration wait) throws InterruptedException {
    Running now = running.get();
    if (now == null) {
      return true;
    }
    if (now.stop().compareAndSet(null, Stop.WORKER)) {
      log.warn("stopping local job {}: the worker is stopping", now.jobId());
    }
    now.engine().interrupt();
    return now.done().await(wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public Outcome run(
      @Nullable String model, Task task, @Nullable ChatStream stream, @Nullable Instant deadline)
      throws InterruptedException {
    String jobId = ShipAppender.LOCAL_JOB_PREFIX + HexFormat.of().formatHex(randomBytes());
    Optional<JobGate.Permit> reserved = gate.tryReserve(jobId);
    if (reserved.isEmpty()) {
      String holder = gate.holder();
      return new Outcome.Busy(holder == null ? "another job" : holder);
    }
    CountDownLatch done = new CountDownLatch(1);
    Job job;
    try {
      try (JobGate.Permit permit = reserved.get()) {
        LocalCatalogue.Resolution resolution = catalogue.resolve(model, task.kind());
        if (resolution instanceof LocalCatalogue.Resolution.Refused refused) {
          return new Outcome.BadInput(refused.message());
        }
        LocalCatalogue.Entry entry = ((LocalCatalogue.Resolution.Found) resolution).entry();
        Claim claim = new Claim(jobId, LOCAL, LOCAL, entry.model(), 0, task, entry.modelSource());
        job = new Job(claim, stream, deadline, done);
        job.run();
      }
    } finally {
      done.countDown();
    }
    if (job.thumbnail != null) {
      try (var ignored = MDC.putCloseable(ShipAppender.JOB_ID, jobId)) {
        artifacts.imageResult(jobId, job.thumbnail);
      }
    }
    if (job.interrupted) {
      if (job.outcome instanceof Outcome.Done result) {
        ResultFiles.discard(result.result(), jobId);
      }
      throw new InterruptedException("the worker stopped while local job " + jobId + " ran");
    }
    return job.outcome;
  }

  private byte[] randomBytes() {
    byte[] bytes = new byte[8];
    random.nextBytes(bytes);
    return bytes;
  }

  /** What the engine's thread ended with: a result or what it threw. */
  private record Ended(@Nullable JobResult result, @Nullable Throwable thrown) {}

  /** One local job, run by the calling thread while it holds the gate. */
  private final class Job {
    private final Claim claim;
    private final @Nullable ChatStream stream;
    private final @Nullable Instant deadline;
    private final CountDownLatch done;
    private final AtomicBoolean readerGone = new AtomicBoolean();
    private final AtomicBoolean streamed = new AtomicBoolean();

    /** What the engine's thread ended with; set by it. */
    private final AtomicReference<@Nullable Ended> ended = new AtomicReference<>();

    /** What {@link #run} answers; set by it. */
    Outcome outcome;

    /** The image result to make a thumbnail of once the gate is released, or null. */
    @Nullable JobResult thumbnail;

    /** Set when the calling thread was interrupted: {@link LocalJobService#run} rethrows. */
    boolean interrupted;

    private String recordOutcome = "failed";
    private String detail = "";

    Job(Claim claim, @Nullable ChatStream stream, @Nullable Instant deadline, CountDownLatch done) {
      this.claim = claim;
      this.stream = stream;
      this.deadline = deadline;
      this.done = done;
      this.outcome = new Outcome.EngineFailed(claim.jobId(), "the job did not run");
    }

    void run() {
      String jobId = claim.jobId();
      Instant started = clock.instant();
      String prompt = claim.task().prompt();
      CurrentJob current = CurrentJob.of(claim, started);
      board.currentJob(current);
      artifacts.started(jobId, prompt);
      try (var ignored = MDC.putCloseable(ShipAppender.JOB_ID, jobId)) {
        log.info(
            "local job {} started: {} with model {} via {}",
            jobId,
            claim.task().kind(),
            claim.model(),
            claim.modelSource().engine());
        try {
          execute();
        } finally {
          JobRecord record =
              current.finished(StatusBoard.LOCAL, recordOutcome, detail, clock.instant());
          Duration took = record.took();
          // The bookkeeping first, the gate after (the caller's try-with-resources).
          running.set(null);
          board.currentJob(null);
          board.finished(record);
          log.info(
              "job finished {} outcome={} took={} ms{}",
              jobId,
              recordOutcome,
              took.toMillis(),
              detail.isEmpty() ? "" : " (" + detail + ")");
        }
      }
    }

    /**
     * Runs the job and decides its outcome. A {@link JobResult.File} the engine returned that is
     * not handed to the caller in {@link Outcome.Done} (the caller went away, the deadline passed)
     * is deleted here; one that is, is the caller's to delete.
     */
    private void execute() {
      try {
        decide();
      } finally {
        Ended end = ended.get();
        JobResult result = end == null ? null : end.result();
        if (!(outcome instanceof Outcome.Done done && done.result() == result)) {
          ResultFiles.discard(result, claim.jobId());
        }
      }
    }

    private void decide() {
      String jobId = claim.jobId();
      Optional<Executor> executor = engines.find(claim.modelSource().engine());
      if (executor.isEmpty()) {
        fail("engine " + claim.modelSource().engine() + " is not installed");
        return;
      }
      AtomicReference<@Nullable Stop> stop = new AtomicReference<>();
      RuntimeJobContext context =
          new RuntimeJobContext(jobId, claim.model(), modelsRoot, models, () -> stop.get() != null);
      ChatStream out = stream == null || claim.task().kind() != TaskKind.LLM ? null : this::piece;
      Thread engine =
          Thread.ofVirtual()
              .name("job-" + jobId)
              .unstarted(() -> ended.set(runEngine(executor.get(), context, out)));
      running.set(new Running(jobId, engine, stop, done));
      engine.start();
      try {
        if (!awaitEnd(engine)) {
          if (stop.compareAndSet(null, Stop.DEADLINE)) {
            log.warn("local job {}: the caller's deadline passed; stopping the job", jobId);
          }
          stopEngine(engine);
        }
      } catch (InterruptedException e) {
        interrupted = true;
        stop.compareAndSet(null, Stop.WORKER);
        stopEngine(engine);
      }
      Stop stopped = stop.get();
      if (stopped == Stop.DEADLINE) {
        recordOutcome = "failed";
        detail = DEADLINE_REASON;
        outcome = new Outcome.DeadlinePassed(jobId);
        return;
      }
      if (stopped == Stop.WORKER) {
        recordOutcome = "cancelled";
        detail = STOPPED_REASON;
        outcome = new Outcome.EngineFailed(jobId, STOPPED_REASON);
        return;
      }
      Ended end = ended.get();
      if (end == null) {
        fail("the engine did not stop");
        return;
      }
      JobResult result = end.result();
      if (result != null && out != null && !streamed.get()) {
        // The engine does not stream (Executor.stream's default): the answer goes as one piece.
        String content = content(result);
        if (content != null) {
          try {
            out.content(content);
          } catch (IOException e) {
            // Recorded below.
          }
        }
      }
      if (readerGone.get()) {
        fail(CALLER_GONE_REASON);
        return;
      }
      Throwable thrown = end.thrown();
      if (result != null) {
        recordOutcome = "completed";
        detail = "";
        outcome = new Outcome.Done(jobId, claim.model(), result);
        if (claim.task().kind() == TaskKind.IMAGE && !(result instanceof JobResult.Json)) {
          thumbnail = result;
        }
      } else if (thrown instanceof UnsupportedJobException e) {
        String why = message(e, "the engine cannot serve this job");
        recordOutcome = "failed";
        detail = why;
        outcome = new Outcome.BadInput(why);
      } else if (thrown instanceof ExecutorException e) {
        fail(message(e, "the engine failed"));
      } else if (thrown instanceof InterruptedException) {
        fail("the engine was interrupted");
      } else {
        log.error("engine {} crashed on local job {}", claim.modelSource().engine(), jobId, thrown);
        fail(
            "the engine crashed: "
                + (thrown == null ? "no result" : thrown.getClass().getSimpleName()));
      }
    }

    private void fail(String why) {
      recordOutcome = "failed";
      detail = why;
      outcome = new Outcome.EngineFailed(claim.jobId(), why);
      log.warn("local job {} failed: {}", claim.jobId(), why);
    }

    /** Runs on the engine's thread, with the job id in the MDC. */
    private Ended runEngine(
        Executor executor, RuntimeJobContext context, @Nullable ChatStream out) {
      try (var ignored = MDC.putCloseable(ShipAppender.JOB_ID, claim.jobId())) {
        JobResult result =
            out == null ? executor.run(claim, context) : executor.stream(claim, context, out);
        return new Ended(result, null);
      } catch (ExecutorException | InterruptedException | RuntimeException | Error e) {
        return new Ended(null, e);
      }
    }

    /** A piece for the caller's stream; notes when the reader is gone. */
    private void piece(String text) throws IOException {
      ChatStream to = java.util.Objects.requireNonNull(stream);
      streamed.set(true);
      try {
        to.content(text);
      } catch (IOException e) {
        readerGone.set(true);
        throw e;
      }
    }

    /**
     * Waits for the engine's thread to end, up to the deadline.
     *
     * @return false when the deadline passed first
     */
    private boolean awaitEnd(Thread engine) throws InterruptedException {
      Instant until = deadline;
      if (until == null) {
        engine.join();
        return true;
      }
      while (true) {
        Duration left = Duration.between(clock.instant(), until);
        if (engine.join(left.isNegative() ? Duration.ZERO : left)) {
          return true;
        }
        if (!clock.instant().isBefore(until)) {
          return false;
        }
      }
    }

    /** Interrupts the engine and gives it {@link #STOP_WAIT} to stop. */
    private void stopEngine(Thread engine) {
      engine.interrupt();
      try {
        if (!engine.join(STOP_WAIT)) {
          log.warn(
              "local job {}: the engine did not stop within {} s; releasing the job slot anyway",
              claim.jobId(),
              STOP_WAIT.toSeconds());
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
  }

  private static String message(Exception e, String fallback) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? fallback : message;
  }

  /** The text of a {@code chat.completion} document's first choice, or null. */
  private static @Nullable String content(JobResult result) {
    if (!(result instanceof JobResult.Json json)) {
      return null;
    }
    try {
      JsonNode content =
          JSON.readTree(json.json().json()).path("choices").path(0).path("message").path("content");
      return content.isString() ? content.stringValue() : null;
    } catch (JacksonException e) {
      return null;
    }
  }
}
