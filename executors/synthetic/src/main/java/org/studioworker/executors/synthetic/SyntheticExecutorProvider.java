package org.studioworker.executors.synthetic;

import org.studioworker.spi.EngineId;
import org.studioworker.spi.Executor;
import org.studioworker.spi.ExecutorEnvironment;
import org.studioworker.spi.ExecutorException;
import org.studioworker.spi.ExecutorProvider;

/** Provides the synthetic engine. */
public final class SyntheticExecutorProvider implements ExecutorProvider {
  @Override
  public EngineId engine() {
    return EngineId.SYNTHETIC;
  }

  @Override
  public String version() {
    return "0.5.0";
  }

  @Override
  public Executor create(ExecutorEnvironment environment) throws ExecutorException {
    throw new ExecutorException("not built yet");
  }
}
