package org.studioworker.devstudio;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.studioworker.spi.Claim;
import org.studioworker.spi.JsonText;

/**
 * A copy of one job of the reference studio, as it stood when it was taken.
 *
 * @param claim what is offered to workers
 * @param attempts how many times a worker failed the job as retryable or not (rejects and socket
 *     drops do not count)
 * @param workerId the worker that holds or held the job last, when there is one
 * @param error the last failure message, when there is one
 * @param result the JSON result of a {@code completeJson}, when there is one
 * @param prompt the prompt that came with the result, when there is one
 * @param ext the file extension of a binary result, when there is one
 * @param contentType the content type of the stored result, when there is one
 * @param resultSize the size of the stored result in bytes, 0 when there is none
 * @param submittedAt when the job was submitted
 * @param reports every result or failure report the studio received for the job, refused ones
 *     included, oldest first
 */
public record JobSnapshot(
    String jobId,
    Claim claim,
    JobStatus status,
    int attempts,
    @Nullable String workerId,
    @Nullable String error,
    @Nullable JsonText result,
    @Nullable String prompt,
    @Nullable String ext,
    @Nullable String contentType,
    long resultSize,
    Instant submittedAt,
    List<JobReport> reports) {
  /** Rejects nulls where a value is required. */
  public JobSnapshot {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(claim, "claim");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(submittedAt, "submittedAt");
    reports = List.copyOf(reports);
  }

  /** How many reports the studio accepted as this job's result (0 or 1 when it is honest). */
  public long completions() {
    return reports.stream().filter(r -> r.verdict() == JobReport.Verdict.COMPLETED).count();
  }

  /** The reports the studio refused because the sender did not hold the job. */
  public List<JobReport> refusedReports() {
    return reports.stream().filter(JobReport::isRefused).toList();
  }
}
