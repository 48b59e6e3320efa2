package org.studioworker.ui.tray.dbus;

import org.freedesktop.dbus.Tuple;
import org.freedesktop.dbus.annotations.Position;

/**
 * Two out-arguments of a dbusmenu method; generic because dbus-java reads a tuple's signature from
 * the type arguments of the method's return type.
 */
public final class LayoutReply<A, B> extends Tuple {
  @Position(0)
  public final A first;

  @Position(1)
  public final B second;

  /** The two out-arguments, in order. */
  public LayoutReply(A first, B second) {
    this.first = first;
    this.second = second;
  }
}
