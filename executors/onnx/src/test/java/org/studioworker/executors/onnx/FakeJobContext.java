package org.studioworker.executors.onnx;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.studioworker.spi.ExecutorException;
import org.studioworker.spi.JobContext;
import org.studioworker.spi.JobLog;
import org.studioworker.spi.ModelFile;

/** A job context whose model files are prepared paths and whose cancellation the test sets. */
final class FakeJobContext implements JobContext {
  private final Path modelsRoot;
  private final Map<String, Path> files = new ConcurrentHashMap<>();
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private final List<String> lines = new CopyOnWriteArrayList<>();

  FakeJobContext(Path modelsRoot) {
    this.modelsRoot = modelsRoot;
  }

  /** Makes {@link #modelFile} answer {@code path} for the file with this name. */
  FakeJobContext withFile(String filename, Path path) {
    files.put(filename, path);
    return this;
  }

  void cancel() {
    cancelled.set(true);
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
    return cancelled.get();
  }

  @Override
  public Path modelsRoot() {
    return modelsRoot;
  }

  @Override
  public Path modelFile(ModelFile file) throws ExecutorException {
    Path path = files.get(file.filename());
    if (path == null) {
      throw new ExecutorException("no such model file in this test: " + file.filename());
    }
    return path;
  }
}
