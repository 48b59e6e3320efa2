package org.studioworker.spi;

/**
 * An executor that cannot serve this kind of task or this engine at all.
 *
 * <p>This is the one failure the runtime reports as not retryable: no later attempt on this worker
 * can succeed.
 */
public final class UnsupportedJobException extends ExecutorException {
  private static final long serialVersionUID = 1L;

  /** A refusal with a message for the studio. */
  public UnsupportedJobException(String message) {
    super(message);
  }
}
