package org.studioworker.runtime.localjobs;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.studioworker.runtime.status.JobRecord;
import org.studioworker.spi.ChatStream;
import org.studioworker.spi.JobResult;
import org.studioworker.spi.Task;

/**
 * Jobs that a program on this machine asks for through the local API (LOCAL_API.md, "Local jobs"):
 * run by the worker's engines, through the same job gate as studio jobs, and recorded with {@code
 * source: "local"}.
 */
public interface LocalJobs {
  /** How one local job ended, and so what the route answers. */
  sealed interface Outcome {
    /**
     * The engine's result: 200 with the bytes (or the JSON). A {@link JobResult.File} is the
     * receiver's: it deletes the file once it has answered with it (or failed to).
     */
    record Done(String jobId, String model, JobResult result) implements Outcome {}

    /** The job gate is held by {@code holder} (a studio job, another local job, an update): 503. */
    record Busy(String holder) implements Outcome {}

    /** An unknown model, a model of another kind, bad parameters: 400 {@code bad input: …}. */
    record BadInput(String message) implements Outcome {}

    /** The engine failed the job: 500 {@code engine error: …}. */
    record EngineFailed(String jobId, String message) implements Outcome {}

    /** The caller's deadline passed first; the job was stopped and recorded failed: 504. */
    record DeadlinePassed(String jobId) implements Outcome {}
  }

  /**
   * Runs one local job on the calling thread, to its end: takes the job gate (or answers {@link
   * Outcome.Busy} at once), picks the model ({@code model}, or the first of the task's kind in the
   * catalogue), runs the engine, records the job.
   *
   * @param model the model id the caller named, or null for the first of the task's kind
   * @param task what to run; its image and audio inputs are {@code data:} URLs only (the routes
   *     refuse anything else before calling)
   * @param stream for an llm job asked with {@code stream: true}, where the answer's pieces go
   * @param deadline when the caller stops waiting ({@code deadline_ms}), or null
   * @throws InterruptedException when the daemon stops while the job runs (the job is stopped)
   */
  Outcome run(
      @Nullable String model, Task task, @Nullable ChatStream stream, @Nullable Instant deadline)
      throws InterruptedException;

  /**
   * The local jobs, newest first, at most {@link
   * org.studioworker.runtime.status.StatusBoard#RECENT_JOBS}.
   */
  List<JobRecord> jobs();
}
