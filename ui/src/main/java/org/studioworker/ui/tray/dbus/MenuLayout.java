package org.studioworker.ui.tray.dbus;

import java.util.List;
import java.util.Map;
import org.freedesktop.dbus.Struct;
import org.freedesktop.dbus.annotations.Position;
import org.freedesktop.dbus.types.Variant;

/**
 * One node of a dbusmenu layout {@code (ia{sv}av)}: id, properties and children; each child is a
 * variant holding another node, which is how the protocol makes the struct recursive.
 */
public final class MenuLayout extends Struct {
  /** The D-Bus signature of a node, the type of each child variant. */
  public static final String SIGNATURE = "(ia{sv}av)";

  @Position(0)
  public final int id;

  @Position(1)
  public final Map<String, Variant<?>> properties;

  @Position(2)
  public final List<Variant<?>> children;

  /** A node; wrap each child with {@link #asChild}. */
  public MenuLayout(int id, Map<String, Variant<?>> properties, List<Variant<?>> children) {
    this.id = id;
    this.properties = Map.copyOf(properties);
    this.children = List.copyOf(children);
  }

  /** This node as a child of another: a variant of signature {@link #SIGNATURE}. */
  public Variant<?> asChild() {
    return new Variant<>(this, SIGNATURE);
  }
}
