package org.studioworker.devstudio;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.studioworker.spi.Claim;
import org.studioworker.spi.JsonText;

/**
 * One job of the studio, mutable.
 *
 * <p>Not thread-safe: every field is guarded by the lock of the {@link SessionHub} that owns it.
 */
final class Job {
  final String jobId;
  final Claim claim;
  final Instant submittedAt;

  JobStatus status = JobStatus.QUEUED;
  int attempts;

  /** The worker holding the job (offered or running), or the last one for a terminal job. */
  @Nullable String workerId;

  @Nullable String error;
  @Nullable JsonText result;
  @Nullable String prompt;
  @Nullable String ext;
  byte @Nullable [] bytes;
  @Nullable String contentType;

  /** Workers that rejected the job without a code; it is never offered to them again. */
  final Set<String> excluded = new HashSet<>();

  /** Why 64? A job sees one report per attempt plus a few refused ones; more is a runaway. */
  static final int MAX_REPORTS = 64;

  /**
   * Every result or failure report for this job, oldest first (the newest {@link #MAX_REPORTS}).
   */
  final BoundedList<JobReport> reports = new BoundedList<>(MAX_REPORTS);

  Job(String jobId, Claim claim, Instant submittedAt) {
    this.jobId = jobId;
    this.claim = claim;
    this.submittedAt = submittedAt;
  }

  /** Whether a worker holds the job now. */
  boolean isHeld() {
    return status == JobStatus.OFFERED || status == JobStatus.RUNNING;
  }

  /** Whether this worker holds the job now. */
  boolean isHeldBy(String worker) {
    return isHeld() && worker.equals(workerId);
  }

  /** Puts the job back in the queue, without a holder. */
  void requeue() {
    status = JobStatus.QUEUED;
    workerId = null;
  }

  JobSnapshot snapshot() {
    byte[] stored = bytes;
    return new JobSnapshot(
        jobId,
        claim,
        status,
        attempts,
        workerId,
        error,
        result,
        prompt,
        ext,
        contentType,
        stored == null ? 0 : stored.length,
        submittedAt,
        reports.snapshot());
  }
}
