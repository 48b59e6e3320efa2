package org.studioworker.runtime.jobs;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.studioworker.protocol.FrameCodec;
import org.studioworker.protocol.FrameDecodeException;
import org.studioworker.protocol.RejectCode;
import org.studioworker.protocol.WorkerFrame;
import org.studioworker.runtime.logs.ShipAppender;
import org.studioworker.runtime.models.ModelStore;
import org.studioworker.runtime.status.CurrentJob;
import org.studioworker.runtime.status.JobRecord;
import org.studioworker.runtime.status.StatusBoard;
import org.studioworker.spi.Claim;
import org.studioworker.spi.Executor;
import org.studioworker.spi.ExecutorException;
import org.studioworker.spi.JobResult;
import org.studioworker.spi.UnsupportedJobException;

/**
 * Handles offers (PROTOCOL.md §4): pause and busy checks, {@code accept}, the engine run on a
 * thread of its own, delivery of the result, and the bookkeeping after.
 *
 * <p>{@link #onOffer} is called on the session's reader thread and returns at once after the
 * accept; the job itself runs on a new virtual thread. At most one job runs at a time (the {@link
 * JobGate}). Thread-safe.
 */
public final class JobRunner {
  private static final Logger log = LoggerFactory.getLogger("jobs");

  /** The reason sent when paused. */
  public static final String PAUSED_REASON = "worker paused by operator";

  /** The reason sent when the slot is taken. */
  public static final String BUSY_REASON = "worker already has an in-flight job";

  /** Whether a job's VRAM estimate fits the GPUs now. */
  @FunctionalInterface
  public interface VramCheck {
    /**
     * Why the job does not fit ({@code insufficient free VRAM: …}), or null when it does.
     *
     * <p>May block briefly while the GPUs are read.
     */
    @Nullable String refuse(double vramGbEstimate);
  }

  /** Credentials and routes that a job needs to deliver its result. */
  public interface Delivery {
    String workerId();

    String authToken();
  }

  private final JobGate gate;
  private final EngineRegistry engines;
  private final ResultUploader uploader;
  private final FrameSender sender;
  private final FrameCodec codec;
  private final StatusBoard board;
  private final BooleanSupplier claimingStopped;
  private final Delivery delivery;
  private final Path modelsRoot;
  private final ModelStore models;
  private final VramCheck vram;
  private final InstantSource clock;

  /** The job in flight: its id and thread; null when idle. */
  private final AtomicReference<@Nullable Running> running = new AtomicReference<>();

  /**
   * The job in flight.
   *
   * @param delivering set once the engine is done and the result is on its way to the studio
   */
  private record Running(
      String jobId, Thread thread, AtomicBoolean cancelled, AtomicBoolean delivering) {}

  /**
   * How long an offer waits for a job that is delivering its result to wind down. Why wait at all?
   * The studio offers the next job as soon as it has stored a result, which can arrive before the
   * upload's reply, and so before the job's thread has released the slot; rejecting that offer as
   * busy would idle the worker until its next heartbeat.
   */
  private static final Duration WIND_DOWN_WAIT = Duration.ofSeconds(2);

  /**
   * A runner.
   *
   * @param claimingStopped true while offers must be rejected as paused (operator pause, or a drain
   *     after SIGTERM)
   */
  public JobRunner(
      JobGate gate,
      EngineRegistry engines,
      ResultUploader uploader,
      FrameSender sender,
      FrameCodec codec,
      StatusBoard board,
      BooleanSupplier claimingStopped,
      Delivery delivery,
      Path modelsRoot,
      ModelStore models,
      VramCheck vram,
      InstantSource clock) {
    this.gate = gate;
    this.engines = engines;
    this.uploader = uploader;
    this.sender = sender;
    this.codec = codec;
    this.board = board;
    this.claimingStopped = claimingStopped;
    this.delivery = delivery;
    this.modelsRoot = modelsRoot;
    this.models = models;
    this.vram = vram;
    this.clock = clock;
  }

  /** The id of the job in flight, if any. */
  public Optional<String> currentJobId() {
    Running now = running.get();
    return now == null ? Optional.empty() : Optional.of(now.jobId());
  }

  /** Whether a job is in flight. */
  public boolean isBusy() {
    return gate.isBusy();
  }

  /** Handles one offer. Never throws; every frame that cannot be sent is logged with the job id. */
  public void onOffer(Claim claim) throws InterruptedException {
    String jobId = claim.jobId();
    log.info(
        "offer received {} game={} asset={} model={} vram={}",
        jobId,
        claim.gameId(),
        claim.assetName(),
        claim.model(),
        claim.vramGbEstimate());
    if (claimingStopped.getAsBoolean()) {
      log.info("offer {} rejected: {}", jobId, PAUSED_REASON);
      send(jobId, new WorkerFrame.Reject(jobId, PAUSED_REASON, RejectCode.PAUSED));
      return;
    }
    String tooBig = vram.refuse(claim.vramGbEstimate());
    if (tooBig != null) {
      // No code: the studio gives the job to another worker rather than waiting for this one.
      log.info("offer {} rejected: {}", jobId, tooBig);
      send(jobId, new WorkerFrame.Reject(jobId, tooBig, null));
      return;
    }
    Optional<JobGate.Permit> reserved = gate.tryReserve(jobId);
    Running previous = running.get();
    if (reserved.isEmpty() && previous != null && previous.delivering().get()) {
      previous.thread().join(WIND_DOWN_WAIT);
      reserved = gate.tryReserve(jobId);
    }
    if (reserved.isEmpty()) {
      log.info("offer {} rejected: {} ({})", jobId, BUSY_REASON, gate.holder());
      send(jobId, new WorkerFrame.Reject(jobId, BUSY_REASON, RejectCode.BUSY));
      return;
    }
    JobGate.Permit permit = reserved.get();
    long generation = sender.generation();
    boolean started = false;
    try {
      if (!send(jobId, new WorkerFrame.Accept(jobId))) {
        return;
      }
      log.info(
          "offer {} accepted ({} via {})",
          jobId,
          claim.task().kind(),
          claim.modelSource().engine());
      AtomicBoolean cancelled = new AtomicBoolean();
      AtomicBoolean delivering = new AtomicBoolean();
      Thread thread =
          Thread.ofVirtual()
              .name("job-" + jobId)
              .unstarted(() -> runJob(claim, permit, generation, cancelled, delivering));
      running.set(new Running(jobId, thread, cancelled, delivering));
      thread.start();
      started = true;
    } finally {
      if (!started) {
        running.set(null);
        permit.close();
      }
    }
  }

  /**
   * Cancels the job in flight, if any: its executor is interrupted and the studio is told the job
   * failed and may be retried elsewhere. Waits up to {@code wait} for the job to wind down.
   */
  public void cancelInFlight(Duration wait) throws InterruptedException {
    Running now = running.get();
    if (now == null) {
      return;
    }
    now.cancelled().set(true);
    now.thread().interrupt();
    now.thread().join(wait);
  }

  private void runJob(
      Claim claim,
      JobGate.Permit permit,
      long generation,
      AtomicBoolean cancelled,
      AtomicBoolean delivering) {
    String jobId = claim.jobId();
    Instant started = clock.instant();
    String prompt = claim.task().prompt();
    board.currentJob(
        new CurrentJob(
            jobId,
            claim.task().kind(),
            claim.model(),
            claim.modelSource().engine().name(),
            CurrentJob.preview(prompt),
            started));
    String outcome = "failed";
    String detail = "";
    try (var ignored = MDC.putCloseable(ShipAppender.JOB_ID, jobId)) {
      Optional<Executor> executor = engines.find(claim.modelSource().engine());
      if (executor.isEmpty()) {
        detail =
            "engine "
                + claim.modelSource().engine()
                + " is not installed on this worker (installed: "
                + engines.describe()
                + ")";
        fail(jobId, generation, detail, false);
        return;
      }
      RuntimeJobContext context =
          new RuntimeJobContext(jobId, claim.model(), modelsRoot, models, cancelled::get);
      JobResult result;
      try {
        result = executor.get().run(claim, context);
      } catch (UnsupportedJobException e) {
        detail = e.getMessage() == null ? "the engine cannot serve this job" : e.getMessage();
        fail(jobId, generation, detail, false);
        return;
      } catch (ExecutorException e) {
        detail = e.getMessage() == null ? "the engine failed" : e.getMessage();
        fail(jobId, generation, detail, true);
        return;
      } catch (InterruptedException e) {
        outcome = "cancelled";
        detail = "the worker stopped before the job finished";
        fail(jobId, generation, detail, true);
        return;
      } catch (RuntimeException | Error e) {
        log.error("engine {} crashed on job {}", claim.modelSource().engine(), jobId, e);
        detail = "the engine crashed: " + e.getClass().getSimpleName();
        fail(jobId, generation, detail, true);
        return;
      }
      if (cancelled.get()) {
        outcome = "cancelled";
        detail = "the worker stopped before the job finished";
        fail(jobId, generation, detail, true);
        return;
      }
      if (sender.generation() != generation) {
        outcome = "abandoned";
        detail = "the session it was accepted on dropped; the studio has requeued it";
        return;
      }
      delivering.set(true);
      String failure = deliver(claim, generation, prompt, result);
      if (failure == null) {
        outcome = "completed";
      } else {
        detail = failure;
      }
    } catch (InterruptedException e) {
      outcome = "cancelled";
      detail = "interrupted while delivering the result";
      Thread.currentThread().interrupt();
    } finally {
      Duration took = Duration.between(started, clock.instant());
      board.currentJob(null);
      board.finished(
          new JobRecord(
              jobId, claim.task().kind(), claim.model(), outcome, detail, clock.instant(), took));
      log.info(
          "job finished {} outcome={} took={} ms{}",
          jobId,
          outcome,
          took.toMillis(),
          detail.isEmpty() ? "" : " (" + detail + ")");
      // Release last: the next offer may only start once this job's bookkeeping is done.
      running.set(null);
      permit.close();
    }
  }

  /** Delivers a result; returns null on success, else why it failed (already reported). */
  private @Nullable String deliver(Claim claim, long generation, String prompt, JobResult result)
      throws InterruptedException {
    String jobId = claim.jobId();
    switch (result) {
      case JobResult.Binary binary -> {
        ResultUploader.Outcome outcome =
            uploader.upload(
                delivery.workerId(),
                delivery.authToken(),
                jobId,
                prompt,
                binary.ext(),
                binary.bytes());
        return switch (outcome) {
          case ResultUploader.Delivered done -> {
            log.info(
                "job {} result uploaded ({} bytes, {}, attempt {})",
                jobId,
                binary.size(),
                binary.ext(),
                done.attempts());
            yield null;
          }
          case ResultUploader.Failed failed -> {
            fail(jobId, generation, failed.why(), true);
            yield failed.why();
          }
        };
      }
      case JobResult.Json json -> {
        try {
          var valid = codec.validateJson(json.json().json());
          if (!report(jobId, generation, new WorkerFrame.CompleteJson(jobId, valid, prompt))) {
            return "the completeJson frame could not be sent";
          }
          log.info("job {} result sent as completeJson", jobId);
          return null;
        } catch (FrameDecodeException e) {
          String why = "the engine returned invalid JSON: " + e.getMessage();
          fail(jobId, generation, why, true);
          return why;
        }
      }
    }
  }

  private void fail(String jobId, long generation, String error, boolean retryable)
      throws InterruptedException {
    log.warn("job {} failed (retryable={}): {}", jobId, retryable, error);
    report(jobId, generation, new WorkerFrame.Fail(jobId, error, retryable));
  }

  /**
   * Sends a job's outcome, unless the socket it was accepted on has dropped since: the studio has
   * requeued the job, and a late outcome would be a protocol violation.
   */
  private boolean report(String jobId, long generation, WorkerFrame frame)
      throws InterruptedException {
    if (sender.generation() != generation) {
      log.warn(
          "not sending {} for job {}: the session it was accepted on dropped and the studio has"
              + " requeued it",
          frame.type(),
          jobId);
      return false;
    }
    return send(jobId, frame);
  }

  /** Sends a frame for a job; logs with the job id when it could not be sent. */
  private boolean send(String jobId, WorkerFrame frame) throws InterruptedException {
    String failure = sender.send(frame);
    if (failure != null) {
      log.warn("could not send {} for job {}: {}", frame.type(), jobId, failure);
      return false;
    }
    return true;
  }
}
