package org.studioworker.ui.tray;

/** The tray that shows nothing, where the desktop has none. */
final class NoTray implements Tray {
  @Override
  public boolean showsIcon() {
    return false;
  }

  @Override
  public void show(State state) {}

  @Override
  public void close() {}
}
