package org.studioworker.runtime.jobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
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
import org.studioworker.spi.JsonText;
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

  /**
   * What happens after a studio job completed and its result reached the studio (the local
   * catalogue remembers its model, an image result gets a thumbnail). Called on the job's thread
   * after the job slot is released, so that it never holds up the next job; must not throw.
   */
  @FunctionalInterface
  public interface Completed {
    /** Does nothing. */
    Completed NONE = (claim, result) -> {};

    /**
     * The job {@code claim} completed with {@code result}, delivered to the studio. A {@link
     * JobResult.File} is still there while this runs, and deleted right after: read it here or
     * never.
     */
    void completed(Claim claim, JobResult result);

    /** The job {@code claim} starts now (it is on the board). Does nothing by default. */
    default void started(Claim claim) {}
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
  private final Completed completed;

  /** Why an offer is refused {@code paused} besides the pause, or null (only_when_idle). */
  private final Supplier<@Nullable String> presenceRefusal;

  /** The job in flight: its id and thread; null when idle. */
  private final AtomicReference<@Nullable Running> running = new AtomicReference<>();

  /**
   * The job in flight.
   *
   * @param generation the socket the job was accepted on; its outcome goes there or nowhere
   * @param delivering set once the engine is done and the result is on its way to the studio
   * @param released counted down once the job slot is released
   */
  private record Running(
      String jobId,
      long generation,
      Thread thread,
      AtomicBoolean cancelled,
      AtomicBoolean delivering,
      CountDownLatch released) {}

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
   * @param presenceRefusal the reason to reject an offer {@code paused} now ({@code only_when_idle}
   *     with the person active), or null to take it; asked after the pause
   * @param completed told of every studio job that completed ({@link Completed#NONE} for nothing)
   */
  public JobRunner(
      JobGate gate,
      EngineRegistry engines,
      ResultUploader uploader,
      FrameSender sender,
      FrameCodec codec,
      StatusBoard board,
      BooleanSupplier claimingStopped,
      Supplier<@Nullable String> presenceRefusal,
      Delivery delivery,
      Path modelsRoot,
      ModelStore models,
      VramCheck vram,
      InstantSource clock,
      Completed completed) {
    this.presenceRefusal = presenceRefusal;
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
    this.completed = completed;
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

  /**
   * Handles one offer that arrived on the socket of {@code generation}. Never throws; every frame
   * that cannot be sent is logged with the job id.
   *
   * <p>The checks run in the contract's order (PROTOCOL.md §4): paused, then busy (the job slot),
   * then free VRAM — so a busy worker always answers {@code busy}, never a codeless VRAM reject
   * that would make the studio pass this worker over for that job for good.
   */
  public void onOffer(Claim claim, long generation) throws InterruptedException {
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
      send(jobId, new WorkerFrame.Reject(jobId, PAUSED_REASON, RejectCode.PAUSED), generation);
      return;
    }
    String away = presenceRefusal.get();
    if (away != null) {
      log.info("offer {} rejected: {}", jobId, away);
      send(jobId, new WorkerFrame.Reject(jobId, away, RejectCode.PAUSED), generation);
      return;
    }
    Optional<JobGate.Permit> reserved = gate.tryReserve(jobId);
    Running previous = running.get();
    if (reserved.isEmpty() && previous != null && previous.delivering().get()) {
      // The slot, not the thread: the thread has after-completion work to do once it released it.
      if (!previous.released().await(WIND_DOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        log.debug(
            "offer {}: job {} still delivering after {}", jobId, previous.jobId(), WIND_DOWN_WAIT);
      }
      reserved = gate.tryReserve(jobId);
    }
    if (reserved.isEmpty()) {
      log.info("offer {} rejected: {} ({})", jobId, BUSY_REASON, gate.holder());
      send(jobId, new WorkerFrame.Reject(jobId, BUSY_REASON, RejectCode.BUSY), generation);
      return;
    }
    JobGate.Permit permit = reserved.get();
    boolean started = false;
    try {
      String tooBig = refuseForVram(claim);
      if (tooBig != null) {
        // No code: the studio gives the job to another worker rather than waiting for this one.
        log.info("offer {} rejected: {}", jobId, tooBig);
        send(jobId, new WorkerFrame.Reject(jobId, tooBig, null), generation);
        return;
      }
      if (!send(jobId, new WorkerFrame.Accept(jobId), generation)) {
        return;
      }
      log.info(
          "offer {} accepted ({} via {})",
          jobId,
          claim.task().kind(),
          claim.modelSource().engine());
      AtomicBoolean cancelled = new AtomicBoolean();
      AtomicBoolean delivering = new AtomicBoolean();
      CountDownLatch released = new CountDownLatch(1);
      Thread thread =
          Thread.ofVirtual()
              .name("job-" + jobId)
              .unstarted(() -> runJob(claim, permit, generation, cancelled, delivering, released));
      running.set(new Running(jobId, generation, thread, cancelled, delivering, released));
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
   * Why the job does not fit the free VRAM, or null when it does. The memory that the job's engine
   * holds for a model it keeps loaded counts as available: the job reuses it (same model) or the
   * engine frees it (another model).
   */
  private @Nullable String refuseForVram(Claim claim) {
    double estimate = claim.vramGbEstimate();
    double resident =
        engines.find(claim.modelSource().engine()).map(Executor::residentVramGb).orElse(0.0);
    if (!(resident > 0)) {
      return vram.refuse(estimate);
    }
    if (resident >= estimate) {
      log.info(
          "offer {}: engine {} already holds {} GB of VRAM for a resident model, which covers the"
              + " estimate of {} GB",
          claim.jobId(),
          claim.modelSource().engine(),
          resident,
          estimate);
      return null;
    }
    String refused = vram.refuse(estimate - resident);
    return refused == null
        ? null
        : refused + " (after counting " + resident + " GB held by the resident model)";
  }

  /**
   * Cancels the job in flight if it was accepted on the socket of {@code generation}: that socket
   * is gone, the studio has requeued the job, and its result would be dropped. Its engine stops
   * (and with it any process the engine started), which frees the job slot. Does not wait.
   */
  public void abandon(long generation) {
    Running now = running.get();
    if (now != null && now.generation() == generation && !now.cancelled().getAndSet(true)) {
      log.warn(
          "job {} was accepted on a session that ended; the studio has requeued it, so the job is"
              + " stopped",
          now.jobId());
      now.thread().interrupt();
    }
  }

  /**
   * Cancels the job in flight, if any: its executor is interrupted (and stops the processes it
   * started) and the studio is told the job failed and may be retried elsewhere. Waits up to {@code
   * wait} for the job to wind down.
   *
   * @return true when no job is in flight any more
   */
  public boolean cancelInFlight(Duration wait) throws InterruptedException {
    Running now = running.get();
    if (now == null) {
      return true;
    }
    now.cancelled().set(true);
    now.thread().interrupt();
    return now.thread().join(wait);
  }

  private void runJob(
      Claim claim,
      JobGate.Permit permit,
      long generation,
      AtomicBoolean cancelled,
      AtomicBoolean delivering,
      CountDownLatch released) {
    AtomicReference<@Nullable JobResult> produced = new AtomicReference<>();
    try {
      runJob(claim, permit, generation, cancelled, delivering, released, produced);
    } finally {
      // Last of all: the after-completion work (a thumbnail) may still read the file.
      ResultFiles.discard(produced.get(), claim.jobId());
    }
  }

  /** Runs one job; what the engine returned goes to {@code produced}. */
  private void runJob(
      Claim claim,
      JobGate.Permit permit,
      long generation,
      AtomicBoolean cancelled,
      AtomicBoolean delivering,
      CountDownLatch released,
      AtomicReference<@Nullable JobResult> produced) {
    String jobId = claim.jobId();
    Instant started = clock.instant();
    String prompt = claim.task().prompt();
    CurrentJob current = CurrentJob.of(claim, started);
    board.currentJob(current);
    completed.started(claim);
    Ending ending = new Ending(jobId, generation);
    JobResult delivered = null;
    try (var ignored = MDC.putCloseable(ShipAppender.JOB_ID, jobId)) {
      Optional<Executor> executor = engines.find(claim.modelSource().engine());
      if (executor.isEmpty()) {
        ending.fail(
            "engine "
                + claim.modelSource().engine()
                + " is not installed on this worker (installed: "
                + engines.describe()
                + ")",
            false);
        return;
      }
      RuntimeJobContext context =
          new RuntimeJobContext(jobId, claim.model(), modelsRoot, models, cancelled::get);
      JobResult result;
      try {
        result = executor.get().run(claim, context);
        produced.set(result);
      } catch (UnsupportedJobException e) {
        ending.fail(
            e.getMessage() == null ? "the engine cannot serve this job" : e.getMessage(), false);
        return;
      } catch (ExecutorException e) {
        if (cancelled.get()) {
          ending.cancelled();
        } else {
          ending.fail(e.getMessage() == null ? "the engine failed" : e.getMessage(), true);
        }
        return;
      } catch (InterruptedException e) {
        ending.cancelled();
        return;
      } catch (RuntimeException | Error e) {
        log.error("engine {} crashed on job {}", claim.modelSource().engine(), jobId, e);
        ending.fail("the engine crashed: " + e.getClass().getSimpleName(), true);
        return;
      }
      if (cancelled.get()) {
        ending.cancelled();
        return;
      }
      if (sender.generation() != generation) {
        ending.abandoned();
        return;
      }
      delivering.set(true);
      deliver(claim, ending, prompt, result);
      delivered = result;
    } catch (InterruptedException e) {
      ending.outcome = "cancelled";
      ending.detail = "interrupted while delivering the result";
      Thread.currentThread().interrupt();
    } finally {
      JobRecord record = current.finished("studio", ending.outcome, ending.detail, clock.instant());
      Duration took = record.took();
      board.currentJob(null);
      board.finished(record);
      log.info(
          "job finished {} outcome={} took={} ms{}",
          jobId,
          ending.outcome,
          took.toMillis(),
          ending.detail.isEmpty() ? "" : " (" + ending.detail + ")");
      // Release last: the next offer may only start once this job's bookkeeping is done. The slot
      // goes before the record of the running job: an offer that lands in between still sees this
      // job (and waits for the release) instead of a taken slot with no job, which it would reject
      // as busy. A later job's record is never cleared: only this job's own is.
      Running self = running.get();
      permit.close();
      released.countDown();
      if (self != null && self.jobId().equals(jobId)) {
        running.compareAndSet(self, null);
      }
    }
    if (delivered != null && ending.delivered) {
      afterCompletion(claim, delivered);
    }
  }

  /** Tells {@link #completed} of a completed job, with the job id in the MDC. Never throws. */
  private void afterCompletion(Claim claim, JobResult result) {
    try (var ignored = MDC.putCloseable(ShipAppender.JOB_ID, claim.jobId())) {
      completed.completed(claim, result);
    } catch (RuntimeException e) {
      log.warn("job {}: after-completion work failed: {}", claim.jobId(), e.toString());
    }
  }

  /**
   * How one job ends: exactly one outcome, reported once, on the socket the job was accepted on or
   * not at all. Used by the job's own thread only.
   */
  private final class Ending {
    private final String jobId;
    private final long generation;
    String outcome = "failed";
    String detail = "";

    /** Set when the studio took the result as this job's: the job completed. */
    boolean delivered;

    Ending(String jobId, long generation) {
      this.jobId = jobId;
      this.generation = generation;
    }

    void completed() {
      outcome = "completed";
      detail = "";
      delivered = true;
    }

    /** The engine or the delivery failed: tell the studio, if the socket is still this job's. */
    void fail(String why, boolean retryable) throws InterruptedException {
      detail = why;
      if (sender.generation() != generation) {
        abandoned();
        return;
      }
      outcome = "failed";
      log.warn("job {} failed (retryable={}): {}", jobId, retryable, why);
      report(new WorkerFrame.Fail(jobId, why, retryable));
    }

    /**
     * The worker stopped the job (a second stop signal, the drain deadline, a socket that changed).
     * The fail frame must reach the studio even though the thread was interrupted to get here: a
     * studio that does not requeue on a dropped socket would keep the job booked otherwise.
     */
    void cancelled() throws InterruptedException {
      // Why clear it? The interrupt did its work (the engine stopped); left set, it would cut the
      // send of the fail frame short.
      Thread.interrupted();
      if (sender.generation() != generation) {
        abandoned();
        return;
      }
      outcome = "cancelled";
      detail = "the worker stopped before the job finished";
      log.warn("job {} failed (retryable=true): {}", jobId, detail);
      report(new WorkerFrame.Fail(jobId, detail, true));
    }

    /** The socket the job was accepted on is gone: the studio has requeued it; report nothing. */
    void abandoned() {
      outcome = "abandoned";
      detail = "the session it was accepted on dropped; the studio has requeued it";
    }

    /** The studio already holds an outcome for the job, or no longer assigns it to this worker. */
    void superseded(String why) {
      outcome = "completed";
      detail = why;
    }

    void report(WorkerFrame frame) throws InterruptedException {
      send(jobId, frame, generation);
    }
  }

  /** Delivers a result and records how the job ended in {@code ending}. */
  private void deliver(Claim claim, Ending ending, String prompt, JobResult result)
      throws InterruptedException {
    String jobId = claim.jobId();
    switch (result) {
      case JobResult.Binary binary ->
          uploaded(
              ending,
              jobId,
              binary.size(),
              binary.ext(),
              uploader.upload(
                  delivery.workerId(),
                  delivery.authToken(),
                  jobId,
                  prompt,
                  binary.ext(),
                  binary.bytes()));
      case JobResult.File file ->
          uploaded(
              ending,
              jobId,
              sizeOf(file.path()),
              file.ext(),
              uploader.upload(
                  delivery.workerId(),
                  delivery.authToken(),
                  jobId,
                  prompt,
                  file.ext(),
                  file.path()));
      case JobResult.Json json -> {
        String text = json.json().json();
        if (text.length() > FrameCodec.MAX_FRAME_CHARS) {
          ending.fail(tooLarge(text.length()), false);
          return;
        }
        JsonText valid;
        try {
          valid = codec.validateJson(text);
        } catch (FrameDecodeException e) {
          ending.fail("the engine returned invalid JSON: " + e.getMessage(), true);
          return;
        }
        WorkerFrame.CompleteJson frame = new WorkerFrame.CompleteJson(jobId, valid, prompt);
        int size;
        try {
          size = codec.encode(frame).length();
        } catch (IllegalArgumentException e) {
          // The result and the full prompt together are over the frame cap; it will not shrink.
          ending.fail(tooLarge(text.length() + prompt.length()), false);
          return;
        }
        if (send(jobId, frame, ending.generation)) {
          log.info("job {} result sent as completeJson ({} characters)", jobId, size);
          ending.completed();
        } else {
          ending.detail = "the completeJson frame could not be sent";
        }
      }
    }
  }

  /** Records how an upload of {@code size} bytes ended in {@code ending}. */
  private void uploaded(
      Ending ending, String jobId, long size, String ext, ResultUploader.Outcome outcome)
      throws InterruptedException {
    switch (outcome) {
      case ResultUploader.Delivered done -> {
        log.info(
            "job {} result uploaded ({} bytes, {}, attempt {})", jobId, size, ext, done.attempts());
        ending.completed();
      }
      case ResultUploader.Superseded superseded -> {
        // A fail now would name a job the studio no longer assigns to us: it would answer
        // protocol_violation and close the session.
        log.warn("job {}: {}; not reporting it again", jobId, superseded.why());
        ending.superseded(superseded.why());
      }
      case ResultUploader.Failed failed -> ending.fail(failed.why(), true);
    }
  }

  private static long sizeOf(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return -1;
    }
  }

  private static String tooLarge(int chars) {
    return "the result is "
        + chars
        + " characters, over the frame limit of "
        + FrameCodec.MAX_FRAME_CHARS
        + "; it cannot be sent as completeJson";
  }

  /**
   * Sends a frame for a job on the socket of {@code generation}, or not at all; logs with the job
   * id when it could not be sent.
   */
  private boolean send(String jobId, WorkerFrame frame, long generation)
      throws InterruptedException {
    String failure = sender.send(frame, generation);
    if (failure != null) {
      log.warn("could not send {} for job {}: {}", frame.type(), jobId, failure);
      return false;
    }
    return true;
  }
}
