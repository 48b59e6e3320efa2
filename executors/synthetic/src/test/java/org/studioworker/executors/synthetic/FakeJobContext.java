package org.studioworker.executors.synthetic;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.studioworker.spi.ExecutorException;
import org.studioworker.spi.JobContext;
import org.studioworker.spi.JobLog;
import org.studioworker.spi.ModelFile;

/**
 * A job context that records log lines and turns cancelled after a given number of cancellation
 * checks, so that tests cancel a job at an exact step without any timing.
 */
final class FakeJobContext implements JobContext {
  private final int checksBeforeCancel;
  private final AtomicInteger checks = new AtomicInteger();
  private final List<String> lines = new CopyOnWriteArrayList<>();

  private FakeJobContext(int checksBeforeCancel) {
    this.checksBeforeCancel = checksBeforeCancel;
  }

  /** A job that is never cancelled. */
  static FakeJobContext running() {
    return new FakeJobContext(Integer.MAX_VALUE);
  }

  /** A job whose first {@code checks} cancellation checks pass and every later one fails. */
  static FakeJobContext cancelledAfter(int checks) {
    return new FakeJobContext(checks);
  }

  /** How often the executor asked whether the job was cancelled. */
  int checks() {
    return checks.get();
  }

  /** The log lines so far, each prefixed with its level. */
  List<String> lines() {
    return List.copyOf(lines);
  }

  @Override
  public String jobId() {
    return "job-1";
  }

  @Override
  public JobLog log() {
    return new JobLog() {
      @Override
      public void info(String message) {
        lines.add("info " + message);
      }

      @Override
      public void warn(String message) {
        lines.add("warn " + message);
      }

      @Override
      public void error(String message) {
        lines.add("error " + message);
      }
    };
  }

  @Override
  public boolean isCancelled() {
    return checks.incrementAndGet() > checksBeforeCancel;
  }

  @Override
  public Path modelsRoot() {
    return Path.of("models");
  }

  @Override
  public Path modelFile(ModelFile file) throws ExecutorException {
    throw new ExecutorException("the synthetic engine asks for no model files");
  }
}
