package org.studioworker.ui.tray;

import java.awt.AWTException;
import java.awt.EventQueue;
import java.awt.MenuItem;
import java.awt.PopupMenu;
import java.awt.SystemTray;
import java.awt.TrayIcon;
import java.lang.reflect.InvocationTargetException;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tray as {@link java.awt.SystemTray}, where there is no StatusNotifierWatcher (an XEmbed
 * panel, Windows, macOS): the same painted light and the same three items. Thread-safe; AWT is
 * touched on its event thread only, and the actions run on the tray's own thread.
 */
final class AwtTray implements Tray {
  private static final Logger LOG = LoggerFactory.getLogger(AwtTray.class);

  private final TrayActions actions;
  private final TrayIcon icon;
  private final MenuItem pause;

  /** Guarded by {@code this}: what the icon shows. */
  private State state = new State(Light.GREEN, StatusNotifierTray.TITLE, false);

  private AwtTray(TrayActions actions, TrayIcon icon, MenuItem pause) {
    this.actions = actions;
    this.icon = icon;
    this.pause = pause;
  }

  /** Adds the icon to the system tray; blocks until the event thread did (on it: at once). */
  static AwtTray start(Tray.Actions actions) throws AWTException {
    TrayActions thread = new TrayActions(actions);
    PopupMenu menu = new PopupMenu();
    MenuItem open = new MenuItem("Open window");
    open.addActionListener(e -> thread.openWindow());
    MenuItem pause = new MenuItem("Pause");
    pause.addActionListener(e -> thread.togglePause());
    MenuItem quit = new MenuItem("Quit");
    quit.addActionListener(e -> thread.quit());
    menu.add(open);
    menu.add(pause);
    menu.addSeparator();
    menu.add(quit);
    SystemTray tray = SystemTray.getSystemTray();
    int size = tray.getTrayIconSize().height;
    TrayIcon icon =
        new TrayIcon(
            IconPainter.paint(Light.GREEN, Math.max(16, size)), StatusNotifierTray.TITLE, menu);
    icon.setImageAutoSize(true);
    icon.addActionListener(e -> thread.openWindow());
    if (EventQueue.isDispatchThread()) {
      try {
        tray.add(icon);
      } catch (AWTException | RuntimeException e) {
        thread.close();
        throw e;
      }
      return new AwtTray(thread, icon, pause);
    }
    try {
      EventQueue.invokeAndWait(
          () -> {
            try {
              tray.add(icon);
            } catch (AWTException e) {
              throw new IllegalStateException(e);
            }
          });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      thread.close();
      throw new AWTException("interrupted while adding the tray icon");
    } catch (InvocationTargetException e) {
      thread.close();
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new AWTException("the system tray refused the icon: " + cause.getMessage());
    }
    return new AwtTray(thread, icon, pause);
  }

  @Override
  public void show(State next) {
    Objects.requireNonNull(next, "state");
    State before;
    synchronized (this) {
      before = state;
      if (before.equals(next)) {
        return;
      }
      state = next;
    }
    EventQueue.invokeLater(
        () -> {
          if (before.light() != next.light()) {
            int size = Math.max(16, icon.getSize().height);
            icon.setImage(IconPainter.paint(next.light(), size));
          }
          if (!before.tooltip().equals(next.tooltip())) {
            icon.setToolTip(next.tooltip());
          }
          pause.setLabel(next.paused() ? "Resume" : "Pause");
        });
  }

  @Override
  public void close() {
    actions.close();
    EventQueue.invokeLater(
        () -> {
          try {
            SystemTray.getSystemTray().remove(icon);
          } catch (RuntimeException e) {
            LOG.debug("tray: removing the AWT tray icon failed", e);
          }
        });
  }
}
