package org.studioworker.ui;

import java.io.IOException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import javax.swing.SwingUtilities;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.studioworker.runtime.DesktopUi;
import org.studioworker.runtime.config.ConfigStore;
import org.studioworker.ui.process.Autostart;
import org.studioworker.ui.process.DaemonKeeper;
import org.studioworker.ui.process.DisplayWait;
import org.studioworker.ui.process.UiInstance;
import org.studioworker.ui.tray.Tray;
import org.studioworker.ui.tray.Trays;

/** The service the runtime's {@code ui} command finds: starts the desktop UI. */
public final class DesktopUiProvider implements DesktopUi {
  private static final Logger LOG = LoggerFactory.getLogger(DesktopUiProvider.class);

  /** For the service loader. */
  public DesktopUiProvider() {}

  @Override
  public int run(Path configPath, Map<String, String> env) throws InterruptedException {
    // AWT reads the display once and caches a failure for good: wait for one before any AWT class.
    DisplayWait.await(env);
    Optional<UiInstance> claimed;
    try {
      claimed = UiInstance.claim(configPath);
    } catch (IOException e) {
      LOG.error("cannot take the UI lock beside {}: {}", configPath, e.getMessage());
      return 1;
    }
    if (claimed.isEmpty()) {
      LOG.info("a UI already runs for {}; it was asked to raise its window", configPath);
      return 0;
    }
    try (UiInstance instance = claimed.get()) {
      String launcher = env.get("STUDIO_WORKER_LAUNCHER");
      if (launcher != null) {
        try {
          Autostart.refresh(env, Path.of(launcher), configPath);
        } catch (IOException e) {
          LOG.warn("cannot refresh the autostart entry: {}", e.getMessage());
        }
      }
      DaemonKeeper keeper = new DaemonKeeper(configPath, env, InstantSource.system());
      try (DesktopApp app = DesktopApp.open(configPath, env, keeper)) {
        Tray tray = Trays.start(env, app.actions());
        app.useTray(tray);
        instance.onRaise(() -> SwingUtilities.invokeLater(app.window::raise));
        boolean hidden = tray.showsIcon() && startMinimised(configPath);
        if (!hidden) {
          SwingUtilities.invokeLater(app.window::raise);
        }
        app.start();
        app.awaitQuit();
      }
    }
    return 0;
  }

  /** The config's {@code startMinimised}; false when the config cannot be read (logged). */
  private static boolean startMinimised(Path configPath) {
    try {
      return new ConfigStore(configPath).load().startMinimised();
    } catch (Exception e) {
      LOG.warn("cannot read startMinimised from {}: {}", configPath, e.getMessage());
      return false;
    }
  }
}
