package org.studioworker.ui.tray;

import java.awt.AWTException;
import java.awt.GraphicsEnvironment;
import java.awt.SystemTray;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Picks the tray of this desktop. */
public final class Trays {
  private static final Logger LOG = LoggerFactory.getLogger(Trays.class);

  /** How long the watcher may take to answer our registration before we fall back. */
  static final Duration WATCHER_TIMEOUT = Duration.ofSeconds(1);

  private Trays() {}

  /** The tray picked and why, as logged. */
  record Choice(Tray tray, String reason) {}

  /**
   * The StatusNotifierItem on the session bus where a watcher is registered, else {@code
   * java.awt.SystemTray} where supported, else a tray that shows nothing (the window is then the
   * only way in, and closing it quits). Never throws; blocks up to about 3 s on a bus that does not
   * answer (2 s to connect, 1 s for the watcher), so call it off the event thread.
   */
  public static Tray start(Map<String, String> env, Tray.Actions actions) {
    Choice choice;
    try {
      choice = choose(env, actions);
    } catch (RuntimeException | LinkageError e) {
      // choose() answers every failure it knows with a reason; this is for the ones it does not.
      choice = new Choice(none(), "no tray icon: picking one failed: " + e);
    }
    LOG.info("tray: {}", choice.reason());
    return choice.tray();
  }

  /**
   * The tray for {@code env} and the reason; blocks at most about {@link #WATCHER_TIMEOUT} past
   * connecting to the bus. Never throws. AWT is touched only when there is no StatusNotifierItem.
   */
  static Choice choose(Map<String, String> env, Tray.Actions actions) {
    String whyNot;
    @Nullable String address = sessionBus(env);
    if (address == null) {
      whyNot = "no session bus (DBUS_SESSION_BUS_ADDRESS is not set)";
    } else {
      StatusNotifierTray.Start sni;
      try {
        sni = StatusNotifierTray.start(address, actions, WATCHER_TIMEOUT);
      } catch (LinkageError e) {
        // dbus-java missing from the image: a packaging fault, but no reason to lose the window.
        sni = new StatusNotifierTray.Unavailable("dbus-java cannot be loaded: " + e);
      }
      switch (sni) {
        case StatusNotifierTray.Started started -> {
          return new Choice(
              started.tray(),
              "StatusNotifierItem " + started.tray().busName() + ", registered with the panel");
        }
        case StatusNotifierTray.Unavailable unavailable -> whyNot = unavailable.reason();
      }
    }
    try {
      if (GraphicsEnvironment.isHeadless()) {
        return new Choice(none(), "no tray icon: " + whyNot + ", and there is no display");
      }
      if (!SystemTray.isSupported()) {
        return new Choice(
            none(), "no tray icon: " + whyNot + ", and java.awt.SystemTray is not supported");
      }
      return new Choice(AwtTray.start(actions), "java.awt.SystemTray, since " + whyNot);
    } catch (AWTException | RuntimeException | LinkageError e) {
      return new Choice(
          none(),
          "no tray icon: " + whyNot + ", and java.awt.SystemTray failed: " + e.getMessage());
    }
  }

  /** The session bus address of {@code env}, or systemd's socket at $XDG_RUNTIME_DIR/bus. */
  private static @Nullable String sessionBus(Map<String, String> env) {
    String address = env.get("DBUS_SESSION_BUS_ADDRESS");
    if (address != null && !address.isBlank()) {
      return address;
    }
    String runtime = env.get("XDG_RUNTIME_DIR");
    if (runtime != null && !runtime.isBlank()) {
      Path socket = Path.of(runtime, "bus");
      if (Files.exists(socket)) {
        return "unix:path=" + socket;
      }
    }
    return null;
  }

  /** The tray that shows nothing. */
  public static Tray none() {
    return new NoTray();
  }
}
