package org.studioworker.spi;

import java.nio.file.Path;

/**
 * What the runtime gives an executor for one job.
 *
 * <p>Created by the runtime per job and valid until {@link Executor#run} returns. Thread-safe.
 */
public interface JobContext {
  /** The studio's id of the job. */
  String jobId();

  /** The job's log. */
  JobLog log();

  /**
   * Whether the job was cancelled (the worker is stopping, or the job ran past its deadline). An
   * executor checks it between steps; the runtime also interrupts the executor's thread.
   */
  boolean isCancelled();

  /** The folder under which model files live ({@code models_root}). */
  Path modelsRoot();

  /**
   * A local, verified copy of one of the job's model files, downloaded first when needed.
   *
   * <p>Blocks while downloading. Called on the job's own thread.
   *
   * @throws ExecutorException when the file cannot be had; the message says why
   * @throws InterruptedException when the job is cancelled while waiting
   */
  Path modelFile(ModelFile file) throws ExecutorException, InterruptedException;
}
