package org.studioworker.ui.process;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** {@code ~/.config/autostart/studio-worker-ui.desktop}: the UI starts with the desktop session. */
public final class Autostart {
  private Autostart() {}

  /** Whether the entry exists and is not hidden. */
  public static boolean enabled(Map<String, String> env) {
    return false;
  }

  /** Writes or removes the entry; written, it runs {@code <launcher> --config <p> ui}. */
  public static void set(Map<String, String> env, boolean on, Path launcher, Path configPath)
      throws IOException {}

  /** Rewrites an existing entry whose command no longer names {@code launcher}. */
  public static void refresh(Map<String, String> env, Path launcher, Path configPath)
      throws IOException {}
}
