package org.studioworker.runtime.presence;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Chooses this machine's idle source, in order: the X server, the desktop's idle monitor, none. */
public final class IdleSources {
  private IdleSources() {}

  /**
   * The first source that answers: the X11 screensaver extension on {@code DISPLAY}, then GNOME's
   * idle monitor and the freedesktop screensaver over {@code gdbus}; else an {@link
   * UnknownIdleSource} that says why each failed. Blocks a few seconds at most; never throws.
   */
  public static IdleSource detect(Map<String, String> env) {
    return detect(env, "gdbus");
  }

  /** The same with another {@code gdbus} program (a test names one that is not there). */
  static IdleSource detect(Map<String, String> env, String gdbus) {
    List<String> reasons = new ArrayList<>();
    switch (X11IdleSource.open(env.get("DISPLAY"))) {
      case X11IdleSource.Ready ready -> {
        return ready.source();
      }
      case X11IdleSource.Unavailable unavailable -> reasons.add("X11: " + unavailable.reason());
    }
    for (GdbusIdleSource.Method method :
        List.of(GdbusIdleSource.Method.MUTTER, GdbusIdleSource.Method.SCREEN_SAVER)) {
      GdbusIdleSource source = new GdbusIdleSource(gdbus, method);
      if (source.idleTime().isPresent()) {
        return source;
      }
      reasons.add(method.destination() + ": no answer");
    }
    return new UnknownIdleSource(String.join("; ", reasons));
  }

  /** A factory of {@link #detect}, for the daemon. */
  public static Supplier<IdleSource> detecting(Map<String, String> env) {
    return () -> detect(env);
  }
}
