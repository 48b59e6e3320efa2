package org.studioworker.executors.synthetic;

import org.studioworker.spi.EngineId;
import org.studioworker.spi.Executor;
import org.studioworker.spi.ExecutorEnvironment;
import org.studioworker.spi.ExecutorProvider;

/**
 * Provides the synthetic engine ({@code modelSource.engine = synthetic}): deterministic, real files
 * from the hash of each job's input, no model and no GPU. For CI and the demo.
 *
 * <p>It serves only the models {@code synthetic} and {@code synthetic-<kind>} and never claims a
 * real one. Creating it does no work and never fails.
 */
public final class SyntheticExecutorProvider implements ExecutorProvider {
  /** Called by {@link java.util.ServiceLoader}. */
  public SyntheticExecutorProvider() {}

  @Override
  public EngineId engine() {
    return EngineId.SYNTHETIC;
  }

  @Override
  public String version() {
    return "0.5.0";
  }

  @Override
  public Executor create(ExecutorEnvironment environment) {
    return new SyntheticExecutor();
  }
}
