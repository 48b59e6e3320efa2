package org.studioworker.spi;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What the runtime tells a provider when it creates an executor.
 *
 * @param modelsRoot the folder under which model files live
 * @param workDir a private folder the engine may use for temporary files
 */
public record ExecutorEnvironment(Path modelsRoot, Path workDir) {
  /** Rejects nulls. */
  public ExecutorEnvironment {
    Objects.requireNonNull(modelsRoot, "modelsRoot");
    Objects.requireNonNull(workDir, "workDir");
  }
}
