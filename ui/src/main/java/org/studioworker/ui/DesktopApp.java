package org.studioworker.ui;

import java.awt.event.WindowAdapter;
import java.awt.event.WindowEvent;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import javax.swing.SwingUtilities;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.studioworker.runtime.localapi.DaemonClient;
import org.studioworker.runtime.localapi.DaemonClient.Reply;
import org.studioworker.ui.process.DaemonKeeper;
import org.studioworker.ui.tray.Tray;
import org.studioworker.ui.tray.Trays;

/**
 * The UI of one config: the window, the poller that feeds it, and the tray it keeps up to date.
 * {@link #quit()} ends it; {@link #awaitQuit()} waits for that. Thread-safe.
 */
final class DesktopApp implements AutoCloseable {
  /** Why 1 s? The daemon's status is a few KB on loopback; once a second keeps the header live. */
  static final Duration POLL_INTERVAL = Duration.ofSeconds(1);

  private static final Logger LOG = LoggerFactory.getLogger(DesktopApp.class);

  final DaemonClient client;
  final MainWindow window;
  private final Poller poller;
  private final UiSettings settings;
  private final Map<String, String> env;
  private final AtomicReference<Tray> tray = new AtomicReference<>(Trays.none());
  private final CountDownLatch quit = new CountDownLatch(1);

  /** The pause flag of the last status; the tray's Pause–Resume item flips it. */
  private volatile boolean paused;

  private DesktopApp(
      DaemonClient client,
      MainWindow window,
      UiSettings settings,
      Map<String, String> env,
      DaemonKeeper keeper) {
    this.client = client;
    this.window = window;
    this.settings = settings;
    this.env = env;
    this.poller = new Poller(client, keeper, POLL_INTERVAL, this::polled);
    window.frame.addWindowListener(
        new WindowAdapter() {
          @Override
          public void windowClosing(WindowEvent e) {
            if (tray.get().showsIcon()) {
              window.frame.setVisible(false);
            } else {
              quit();
            }
          }
        });
  }

  /** Builds the window on the EDT in the saved theme; nothing is shown or polled yet. */
  static DesktopApp open(Path configPath, Map<String, String> env, DaemonKeeper keeper)
      throws InterruptedException {
    DaemonClient client = new DaemonClient(configPath, () -> false);
    UiSettings settings = new UiSettings(configPath);
    // The window's theme choice calls back into the app made after it.
    AtomicReference<DesktopApp> self = new AtomicReference<>();
    try {
      SwingUtilities.invokeAndWait(
          () -> {
            settings.theme().apply(env);
            MainWindow window =
                new MainWindow(
                    client,
                    configPath,
                    env,
                    keeper.daemonLog(),
                    settings,
                    theme -> {
                      DesktopApp it = self.get();
                      if (it != null) {
                        it.changeTheme(theme);
                      }
                    });
            DesktopApp made = new DesktopApp(client, window, settings, env, keeper);
            self.set(made);
          });
    } catch (InvocationTargetException e) {
      client.close();
      throw new IllegalStateException("cannot build the window", e.getCause());
    }
    return Objects.requireNonNull(self.get());
  }

  /** The actions of the tray's menu. */
  Tray.Actions actions() {
    return new Tray.Actions() {
      @Override
      public void openWindow() {
        SwingUtilities.invokeLater(window::raise);
      }

      @Override
      public void togglePause() {
        try {
          if (client.pause(!paused) instanceof Reply.Answer<Boolean>(URI _, Boolean now)) {
            // A second click before the next poll flips it back.
            paused = now;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }

      @Override
      public void quit() {
        try {
          // The daemon stops as on SIGTERM; the UI goes whether or not it answered.
          client.json("POST", "/daemon/shutdown", null);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        DesktopApp.this.quit();
      }
    };
  }

  /** Uses {@code tray} from now on; with an icon shown, closing the window only hides it. */
  void useTray(Tray tray) {
    this.tray.set(tray);
  }

  /** Starts polling. */
  void start() {
    poller.start();
  }

  /** Ends the UI; {@link #awaitQuit()} returns. */
  void quit() {
    quit.countDown();
  }

  /** Blocks until {@link #quit()}. */
  void awaitQuit() throws InterruptedException {
    quit.await();
  }

  private void polled(Poll poll) {
    Tray.State state =
        switch (poll) {
          case Poll.Answered(var status, var lines, var restarted) -> {
            paused = status.path("paused").asBoolean(false);
            yield StatusText.tray(status, null);
          }
          case Poll.Unreachable(String message) -> StatusText.tray(null, message);
        };
    SwingUtilities.invokeLater(() -> window.model.apply(poll));
    // Off the EDT: a tray on the session bus may take a round trip to update.
    tray.get().show(state);
  }

  private void changeTheme(Theme theme) {
    theme.apply(env);
    Background.run(
        "save-theme",
        () -> {
          try {
            settings.saveTheme(theme);
          } catch (IOException e) {
            LOG.warn("cannot save {}: {}", settings.file(), e.getMessage());
          }
          return theme;
        },
        t -> {});
  }

  /** Stops polling, removes the icon, disposes the window. Never throws. */
  @Override
  public void close() {
    poller.close();
    tray.get().close();
    try {
      SwingUtilities.invokeAndWait(window.frame::dispose);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (InvocationTargetException e) {
      LOG.warn("disposing the window failed: {}", String.valueOf(e.getCause()));
    }
    client.close();
  }
}
