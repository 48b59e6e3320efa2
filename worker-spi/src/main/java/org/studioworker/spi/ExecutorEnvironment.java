package org.studioworker.spi;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * What the runtime tells a provider when it creates an executor.
 *
 * @param modelsRoot the folder under which model files live
 * @param workDir a private folder the engine may use for temporary files
 * @param processEnv environment variables every program the engine starts must get, on top of the
 *     worker's own (for a worker pinned to one GPU, {@code CUDA_VISIBLE_DEVICES} naming it); apply
 *     them with {@link org.studioworker.spi.process.EngineProcesses#environment}
 */
public record ExecutorEnvironment(Path modelsRoot, Path workDir, Map<String, String> processEnv) {
  /** Rejects nulls; copies the variables. */
  public ExecutorEnvironment {
    Objects.requireNonNull(modelsRoot, "modelsRoot");
    Objects.requireNonNull(workDir, "workDir");
    processEnv = Map.copyOf(processEnv);
  }

  /** An environment that adds no variable to the engine's programs. */
  public ExecutorEnvironment(Path modelsRoot, Path workDir) {
    this(modelsRoot, workDir, Map.of());
  }
}
