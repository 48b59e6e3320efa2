package org.studioworker.ui.process;

import java.util.Map;

/** Waits for a display to connect to, without touching AWT (which caches a failure for good). */
public final class DisplayWait {
  private DisplayWait() {}

  /**
   * Returns once the display named by {@code DISPLAY} (or {@code WAYLAND_DISPLAY}) accepts a
   * connection; tries every 2 s, doubling to 60 s, and never gives up.
   */
  public static void await(Map<String, String> env) throws InterruptedException {}
}
