package org.studioworker.ui.tray.dbus;

import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.messages.DBusSignal;

/**
 * {@code org.kde.StatusNotifierItem}: the icon an application shows in the panel; its properties
 * are served through {@code org.freedesktop.DBus.Properties}.
 */
@DBusInterfaceName("org.kde.StatusNotifierItem")
@SuppressWarnings("MethodName") // D-Bus member names are UpperCamel on the wire
public interface StatusNotifierItem extends DBusInterface {
  /** The object path the watcher looks for when given a bus name. */
  String PATH = "/StatusNotifierItem";

  /** A primary click on the icon at screen position ({@code x}, {@code y}). */
  void Activate(int x, int y);

  /** A middle click on the icon. */
  void SecondaryActivate(int x, int y);

  /** A request for a context menu the item draws itself (ours is in {@code Menu}). */
  void ContextMenu(int x, int y);

  /** A scroll of {@code delta} over the icon, {@code orientation} "vertical" or "horizontal". */
  void Scroll(int delta, String orientation);

  /** The icon changed: hosts read {@code IconPixmap} again. */
  final class NewIcon extends DBusSignal {
    /** A signal from the item at {@code path}. */
    public NewIcon(String path) throws DBusException {
      super(path);
    }
  }

  /** The tooltip changed: hosts read {@code ToolTip} again. */
  final class NewToolTip extends DBusSignal {
    /** A signal from the item at {@code path}. */
    public NewToolTip(String path) throws DBusException {
      super(path);
    }
  }

  /** The status changed to {@code status} ("Passive", "Active" or "NeedsAttention"). */
  final class NewStatus extends DBusSignal {
    private final String status;

    /** A signal from the item at {@code path}. */
    public NewStatus(String path, String status) throws DBusException {
      super(path, status);
      this.status = status;
    }

    /** The new status. */
    public String status() {
      return status;
    }
  }
}
