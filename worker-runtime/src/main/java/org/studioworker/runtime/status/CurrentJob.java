package org.studioworker.runtime.status;

import java.time.Instant;
import org.studioworker.spi.Claim;
import org.studioworker.spi.TaskKind;

/**
 * The job in flight, as shown to the operator.
 *
 * @param promptPreview the first {@value #PREVIEW_CODE_POINTS} code points of the prompt, plus
 *     {@code …} when cut
 */
public record CurrentJob(
    String jobId,
    TaskKind kind,
    String model,
    String engine,
    String promptPreview,
    Instant startedAt) {
  /** The preview length of the original worker. */
  public static final int PREVIEW_CODE_POINTS = 200;

  /** The job of {@code claim}, started at {@code startedAt}. */
  public static CurrentJob of(Claim claim, Instant startedAt) {
    return new CurrentJob(
        claim.jobId(),
        claim.task().kind(),
        claim.model(),
        claim.modelSource().engine().name(),
        preview(claim.task().prompt()),
        startedAt);
  }

  /**
   * How the job ended, for the recent-jobs rings.
   *
   * @param source {@code studio} or {@code local}
   */
  public JobRecord finished(String source, String outcome, String detail, Instant finishedAt) {
    return new JobRecord(
        jobId,
        kind,
        model,
        promptPreview,
        source,
        outcome,
        detail,
        startedAt,
        finishedAt,
        java.time.Duration.between(startedAt, finishedAt));
  }

  /** The preview of a prompt: 200 code points, never splitting a surrogate pair. */
  public static String preview(String prompt) {
    int count = prompt.codePointCount(0, prompt.length());
    if (count <= PREVIEW_CODE_POINTS) {
      return prompt;
    }
    int end = prompt.offsetByCodePoints(0, PREVIEW_CODE_POINTS);
    return prompt.substring(0, end) + "…";
  }
}
