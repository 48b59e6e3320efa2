package org.studioworker.spi;

/**
 * The entry point of an engine plugin, found with {@link java.util.ServiceLoader}.
 *
 * <p>A plugin declares {@code provides org.studioworker.spi.ExecutorProvider with ...} in its
 * {@code module-info} (or a {@code META-INF/services} line). The runtime calls it once at start, on
 * its start-up thread; it must have a public no-argument constructor that does no real work.
 */
public interface ExecutorProvider {
  /** The engine this provider runs; jobs whose {@code modelSource.engine} matches come to it. */
  EngineId engine();

  /** The plugin's version, shown in the engine roster. */
  String version();

  /**
   * Creates the executor.
   *
   * <p>May probe the machine (look for an external program); should not download anything.
   *
   * @throws ExecutorException when the engine cannot start here; the worker starts without it
   */
  Executor create(ExecutorEnvironment environment) throws ExecutorException;
}
