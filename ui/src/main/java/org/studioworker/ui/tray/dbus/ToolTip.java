package org.studioworker.ui.tray.dbus;

import java.util.List;
import org.freedesktop.dbus.Struct;
import org.freedesktop.dbus.annotations.Position;

/** The tooltip {@code (sa(iiay)ss)}: icon name, icon pixmaps, title and description. */
public final class ToolTip extends Struct {
  /** The D-Bus signature of this struct. */
  public static final String SIGNATURE = "(sa(iiay)ss)";

  @Position(0)
  public final String iconName;

  @Position(1)
  public final List<Pixmap> iconPixmap;

  @Position(2)
  public final String title;

  @Position(3)
  public final String description;

  /** A tooltip; {@code title} is shown in bold over {@code description} where a host shows both. */
  public ToolTip(String iconName, List<Pixmap> iconPixmap, String title, String description) {
    this.iconName = iconName;
    this.iconPixmap = List.copyOf(iconPixmap);
    this.title = title;
    this.description = description;
  }
}
