package org.studioworker.runtime.jobs;

import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.studioworker.runtime.logs.ShipAppender;
import org.studioworker.runtime.models.ModelStore;
import org.studioworker.spi.ExecutorException;
import org.studioworker.spi.JobContext;
import org.studioworker.spi.JobLog;
import org.studioworker.spi.ModelFile;

/**
 * The runtime's {@link JobContext}: job-tagged logs, cancellation, and verified model files. Public
 * for the local jobs ({@code runtime.localjobs}); the package is not exported.
 */
public final class RuntimeJobContext implements JobContext {
  private static final Logger log = LoggerFactory.getLogger("job");

  private final String jobId;
  private final String model;
  private final Path modelsRoot;
  private final BooleanSupplier cancelled;
  private final ModelStore models;
  private final JobLog jobLog;

  /**
   * A context for one job.
   *
   * @param model the job's model id, under which its files are kept
   * @param cancelled true once the job must stop
   */
  public RuntimeJobContext(
      String jobId, String model, Path modelsRoot, ModelStore models, BooleanSupplier cancelled) {
    this.jobId = jobId;
    this.model = model;
    this.modelsRoot = modelsRoot;
    this.models = models;
    this.cancelled = cancelled;
    this.jobLog = new TaggedLog(jobId);
  }

  @Override
  public String jobId() {
    return jobId;
  }

  @Override
  public JobLog log() {
    return jobLog;
  }

  @Override
  public boolean isCancelled() {
    return cancelled.getAsBoolean();
  }

  @Override
  public Path modelsRoot() {
    return modelsRoot;
  }

  @Override
  public Path modelFile(ModelFile file) throws ExecutorException, InterruptedException {
    return models.fetch(model, file, cancelled);
  }

  /** Writes with the job id in the MDC, so that the line is tagged when shipped. */
  private record TaggedLog(String jobId) implements JobLog {
    @Override
    public void info(String message) {
      try (var ignored = MDC.putCloseable(ShipAppender.JOB_ID, jobId)) {
        log.info("{}", message);
      }
    }

    @Override
    public void warn(String message) {
      try (var ignored = MDC.putCloseable(ShipAppender.JOB_ID, jobId)) {
        log.warn("{}", message);
      }
    }

    @Override
    public void error(String message) {
      try (var ignored = MDC.putCloseable(ShipAppender.JOB_ID, jobId)) {
        log.error("{}", message);
      }
    }
  }
}
