package org.studioworker.executors.synthetic;

import org.studioworker.spi.JobContext;

/** A point between two steps of a job (a row, a frame) where a cancelled job stops. */
@FunctionalInterface
interface Checkpoint {
  /**
   * Returns when the job may go on.
   *
   * @throws InterruptedException when the job was cancelled or its thread interrupted
   */
  void check() throws InterruptedException;

  /** Stops when the runtime cancels the job or interrupts its thread (clearing the interrupt). */
  static Checkpoint of(JobContext context) {
    return () -> {
      if (context.isCancelled() || Thread.interrupted()) {
        throw new InterruptedException("job " + context.jobId() + " was cancelled");
      }
    };
  }

  /** Never stops; for encoders and tests that have no job. */
  static Checkpoint never() {
    return () -> {};
  }
}
