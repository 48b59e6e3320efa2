package org.studioworker.runtime.presence;

import java.time.Duration;
import java.util.Optional;

/**
 * How long the person at this computer has not touched keyboard or mouse.
 *
 * <p>Implementations are thread-safe; {@link #idleTime} blocks for at most a few seconds and never
 * throws.
 */
public interface IdleSource extends AutoCloseable {
  /** The idle time now, or empty when it cannot be read. */
  Optional<Duration> idleTime();

  /** What this source reads, for the log ("the X11 screensaver extension on :0"). */
  String describe();

  /** Releases what the source holds (a display connection, a thread). Never throws. */
  @Override
  default void close() {}
}
