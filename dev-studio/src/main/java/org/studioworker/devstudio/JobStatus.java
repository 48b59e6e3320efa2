package org.studioworker.devstudio;

import java.util.Locale;

/** Where a job of the reference studio stands; the wire name is the lowercase name. */
public enum JobStatus {
  /** Waiting for a worker. */
  QUEUED,
  /** Offered to one worker, which has not answered yet. */
  OFFERED,
  /** Accepted by a worker. */
  RUNNING,
  /** A result is stored. */
  COMPLETED,
  /** Failed for good: not retryable, or out of attempts. */
  FAILED;

  /** The name used in JSON ({@code queued}). */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether the job can no longer change. */
  public boolean isTerminal() {
    return this == COMPLETED || this == FAILED;
  }
}
