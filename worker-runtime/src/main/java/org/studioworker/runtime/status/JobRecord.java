package org.studioworker.runtime.status;

import java.time.Duration;
import java.time.Instant;
import org.studioworker.spi.TaskKind;

/**
 * One finished job, for the recent-jobs ring.
 *
 * @param promptPreview the prompt cut as {@link CurrentJob#preview} cuts it
 * @param source {@code studio} or {@code local}
 * @param outcome {@code completed}, {@code failed} or {@code cancelled}
 * @param detail the error for a failed job, else empty
 */
public record JobRecord(
    String jobId,
    TaskKind kind,
    String model,
    String promptPreview,
    String source,
    String outcome,
    String detail,
    Instant startedAt,
    Instant finishedAt,
    Duration took) {}
