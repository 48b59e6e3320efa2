package org.studioworker.ui.tray;

/** The UI's icon in the desktop's panel: a coloured light, a tooltip and a three-item menu. */
public interface Tray extends AutoCloseable {
  /** Green: idle (also waiting for approval or reconnecting); amber: a job runs; red: trouble. */
  enum Light {
    GREEN,
    AMBER,
    RED
  }

  /** What the icon shows; {@code paused} names the menu's Pause or Resume item. */
  record State(Light light, String tooltip, boolean paused) {}

  /** What the menu and a click on the icon do; called on a thread of the tray's own. */
  interface Actions {
    void openWindow();

    void togglePause();

    void quit();
  }

  /** Whether an icon is on the desktop: closing the window then only hides it. */
  default boolean showsIcon() {
    return true;
  }

  /** Shows {@code state}; cheap when nothing changed. */
  void show(State state);

  /** Removes the icon. Never throws. */
  @Override
  void close();
}
