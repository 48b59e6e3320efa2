package org.studioworker.runtime.lifecycle;

import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes SIGTERM and SIGINT to the stop signal instead of the JVM's shutdown.
 *
 * <p>Why not a shutdown hook? Once the JVM starts shutting down, a second signal can no longer be
 * told apart, and the drain needs exactly that: the first signal drains, the second fails the job
 * in flight and exits at once. {@code sun.misc.Signal} (module {@code jdk.unsupported}) keeps the
 * process alive and hands us each signal. Where it is unavailable the JVM's default handling stays,
 * with a warning: a stop then ends the process without a drain.
 */
public final class Signals {
  private static final Logger log = LoggerFactory.getLogger("shutdown");

  private Signals() {}

  /**
   * Installs the handlers.
   *
   * @param onSignal called with {@code SIGTERM} or {@code SIGINT}, on a signal thread; must not
   *     block
   */
  public static void install(Consumer<String> onSignal) {
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> onSignal.accept("SIG" + name));
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        log.warn(
            "cannot handle SIG{} ({}); a stop will not drain the job in flight",
            name,
            e.getMessage());
      }
    }
  }
}
