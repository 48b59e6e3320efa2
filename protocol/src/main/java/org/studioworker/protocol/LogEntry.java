package org.studioworker.protocol;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One shipped log line.
 *
 * @param ts when it was logged; kept to the millisecond, as the wire carries it
 * @param category where it came from ({@code session}, {@code jobs}, {@code logs})
 * @param jobId the job it belongs to, when there is one
 */
public record LogEntry(
    Instant ts, LogLevel level, String category, String message, @Nullable String jobId) {
  /** Truncates the timestamp to milliseconds and rejects nulls. */
  public LogEntry {
    ts = ts.truncatedTo(ChronoUnit.MILLIS);
    Objects.requireNonNull(level, "level");
    Objects.requireNonNull(category, "category");
    Objects.requireNonNull(message, "message");
  }
}
