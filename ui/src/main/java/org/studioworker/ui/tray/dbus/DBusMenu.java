package org.studioworker.ui.tray.dbus;

import java.util.List;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.messages.DBusSignal;
import org.freedesktop.dbus.types.UInt32;
import org.freedesktop.dbus.types.Variant;

/**
 * {@code com.canonical.dbusmenu}: a menu a panel draws from a tree of items with integer ids; its
 * properties (Version, TextDirection, Status, IconThemePath) are served through {@code
 * org.freedesktop.DBus.Properties}.
 */
@DBusInterfaceName("com.canonical.dbusmenu")
@SuppressWarnings("MethodName") // D-Bus member names are UpperCamel on the wire
public interface DBusMenu extends DBusInterface {
  /** The object path the item's {@code Menu} property names. */
  String PATH = "/MenuBar";

  /**
   * The layout under {@code parentId}, {@code recursionDepth} levels deep (-1: all), with the
   * properties named (none: all); returns {@code (u (ia{sv}av))}, the revision and the tree.
   */
  LayoutReply<UInt32, MenuLayout> GetLayout(
      int parentId, int recursionDepth, List<String> propertyNames);

  /** The properties named (none: all) of each item in {@code ids}. */
  List<MenuItemProperties> GetGroupProperties(List<Integer> ids, List<String> propertyNames);

  /** One property of one item. */
  Variant<?> GetProperty(int id, String name);

  /** An event ("clicked", "hovered", "opened", "closed") on item {@code id}. */
  void Event(int id, String eventId, Variant<?> data, UInt32 timestamp);

  /** Several events; returns the ids that were not found. */
  List<Integer> EventGroup(List<MenuEvent> events);

  /**
   * The menu under {@code id} is about to be shown; returns whether its layout must be read again.
   */
  boolean AboutToShow(int id);

  /** {@link #AboutToShow} for several ids; returns the ids to update and the ids not found. */
  LayoutReply<List<Integer>, List<Integer>> AboutToShowGroup(List<Integer> ids);

  /** The layout under {@code parent} changed; it is now at {@code revision}. */
  final class LayoutUpdated extends DBusSignal {
    private final UInt32 revision;
    private final int parent;

    /** A signal from the menu at {@code path}. */
    public LayoutUpdated(String path, UInt32 revision, int parent) throws DBusException {
      super(path, revision, parent);
      this.revision = revision;
      this.parent = parent;
    }

    /** The revision of the layout now. */
    public UInt32 revision() {
      return revision;
    }

    /** The item under which the layout changed (0: the root). */
    public int parent() {
      return parent;
    }
  }
}
