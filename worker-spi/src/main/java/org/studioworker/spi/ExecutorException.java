package org.studioworker.spi;

import org.jspecify.annotations.Nullable;

/**
 * A job that an executor could not finish.
 *
 * <p>The message is sent to the studio as the job's error, so it must say what went wrong in words
 * an operator understands and must never contain a secret. The runtime treats the failure as
 * retryable (another attempt, maybe on another worker, could succeed); the one exception is {@link
 * UnsupportedJobException}.
 */
public class ExecutorException extends Exception {
  private static final long serialVersionUID = 1L;

  /** A failure with a message for the studio. */
  public ExecutorException(String message) {
    super(message);
  }

  /** A failure with a message for the studio and the cause behind it. */
  public ExecutorException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
