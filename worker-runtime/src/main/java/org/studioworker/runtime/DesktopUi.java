package org.studioworker.runtime;

import java.nio.file.Path;
import java.util.Map;

/**
 * The desktop UI ({@code studio-worker ui}): a module of its own, found as a service, so that a
 * headless daemon never loads a class of it. It is a client of the daemon's local API only: it
 * never runs a job and never talks to the studio.
 */
public interface DesktopUi {
  /**
   * Runs the UI of the config at {@code configPath} until the person quits it.
   *
   * @param env the process environment (display, config and launcher locations)
   * @return the exit code of {@code studio-worker ui}
   */
  int run(Path configPath, Map<String, String> env) throws InterruptedException;
}
