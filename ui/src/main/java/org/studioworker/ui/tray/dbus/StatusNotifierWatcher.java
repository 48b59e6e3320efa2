package org.studioworker.ui.tray.dbus;

import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.interfaces.DBusInterface;

/** {@code org.kde.StatusNotifierWatcher}: the panel's registry of items, the part we call. */
@DBusInterfaceName("org.kde.StatusNotifierWatcher")
@SuppressWarnings("MethodName") // D-Bus member names are UpperCamel on the wire
public interface StatusNotifierWatcher extends DBusInterface {
  /** The well-known name the watcher owns. */
  String BUS_NAME = "org.kde.StatusNotifierWatcher";

  /** The object path the watcher is exported at. */
  String PATH = "/StatusNotifierWatcher";

  /**
   * Registers the item owning bus name {@code service} (its object at {@code /StatusNotifierItem}).
   */
  void RegisterStatusNotifierItem(String service);
}
