package org.studioworker.spi.process;

import java.util.Map;
import java.util.Set;

/**
 * The environment of a program an engine starts: the worker's own, without what belongs to the
 * worker process alone, plus what the runtime asks for.
 *
 * <p>Stateless; thread-safe.
 */
public final class EngineProcesses {
  /**
   * Variables a started program never inherits: systemd's notify socket and watchdog are the
   * daemon's, and a program that wrote to them would speak for the worker.
   */
  public static final Set<String> WORKER_ONLY =
      Set.of("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID");

  private EngineProcesses() {}

  /**
   * Removes {@link #WORKER_ONLY} from {@code builder}'s environment, then sets {@code processEnv}
   * (from {@link org.studioworker.spi.ExecutorEnvironment#processEnv}) over it.
   *
   * @return {@code builder}
   */
  public static ProcessBuilder environment(ProcessBuilder builder, Map<String, String> processEnv) {
    Map<String, String> env = builder.environment();
    env.keySet().removeAll(WORKER_ONLY);
    env.putAll(processEnv);
    return builder;
  }
}
