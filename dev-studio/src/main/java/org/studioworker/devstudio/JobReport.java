package org.studioworker.devstudio;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One result or failure report that a worker sent for a job, and what the studio did with it.
 *
 * <p>A report from a worker that did not hold the job (a retried upload after a lost reply, a late
 * result from a socket that dropped, a second report of a finished job) is {@link Verdict#REFUSED}:
 * the studio records it and changes nothing, so a job ends completed or failed exactly once.
 *
 * @param jobId the job named by the report
 * @param kind how the report came
 * @param workerId who sent it
 * @param verdict what the studio did with it
 * @param statusBefore the job's status when the report arrived; null when the studio does not know
 *     the job
 * @param at when the report arrived
 */
public record JobReport(
    String jobId,
    Kind kind,
    String workerId,
    Verdict verdict,
    @Nullable JobStatus statusBefore,
    Instant at) {

  /** How a report came. */
  public enum Kind {
    /** The multipart {@code complete} route. */
    UPLOAD,
    /** A {@code completeJson} frame. */
    COMPLETE_JSON,
    /** A {@code fail} frame. */
    FAIL
  }

  /** What the studio did with a report. */
  public enum Verdict {
    /** The result was stored; the job is completed. */
    COMPLETED,
    /** A retryable failure with attempts left: the job went back to the queue. */
    REQUEUED,
    /** A failure for good: the job is failed. */
    FAILED,
    /** The sender did not hold the job: nothing changed (409, or a protocol violation). */
    REFUSED
  }

  /** Rejects nulls where a value is required. */
  public JobReport {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(workerId, "workerId");
    Objects.requireNonNull(verdict, "verdict");
    Objects.requireNonNull(at, "at");
  }

  /** Whether the studio refused the report because the sender did not hold the job. */
  public boolean isRefused() {
    return verdict == Verdict.REFUSED;
  }
}
