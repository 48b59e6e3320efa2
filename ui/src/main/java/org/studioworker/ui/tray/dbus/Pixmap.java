package org.studioworker.ui.tray.dbus;

import org.freedesktop.dbus.Struct;
import org.freedesktop.dbus.annotations.Position;

/** One icon image {@code (iiay)}: width, height and ARGB32 pixels in network byte order. */
public final class Pixmap extends Struct {
  @Position(0)
  public final int width;

  @Position(1)
  public final int height;

  @Position(2)
  public final byte[] data;

  /** An image of {@code width × height} pixels, 4 bytes each (A, R, G, B), row by row. */
  public Pixmap(int width, int height, byte[] data) {
    if (data.length != width * height * 4) {
      throw new IllegalArgumentException(
          "a "
              + width
              + "x"
              + height
              + " pixmap needs "
              + width * height * 4
              + " bytes, not "
              + data.length);
    }
    this.width = width;
    this.height = height;
    this.data = data;
  }
}
