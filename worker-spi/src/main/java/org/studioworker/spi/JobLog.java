package org.studioworker.spi;

/**
 * Where an executor writes the log lines of one job.
 *
 * <p>Each line is tagged with the job id and shipped to the studio with the worker's own logs.
 * Thread-safe; never blocks for long (lines go to a bounded queue).
 */
public interface JobLog {
  /** A progress or status line. */
  void info(String message);

  /** Something the operator may want to look at. */
  void warn(String message);

  /** A failure. */
  void error(String message);
}
