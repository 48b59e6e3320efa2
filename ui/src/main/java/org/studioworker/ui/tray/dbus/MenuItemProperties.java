package org.studioworker.ui.tray.dbus;

import java.util.Map;
import org.freedesktop.dbus.Struct;
import org.freedesktop.dbus.annotations.Position;
import org.freedesktop.dbus.types.Variant;

/** The properties of one menu item {@code (ia{sv})}, as GetGroupProperties returns them. */
public final class MenuItemProperties extends Struct {
  @Position(0)
  public final int id;

  @Position(1)
  public final Map<String, Variant<?>> properties;

  /** The properties of item {@code id}. */
  public MenuItemProperties(int id, Map<String, Variant<?>> properties) {
    this.id = id;
    this.properties = Map.copyOf(properties);
  }
}
