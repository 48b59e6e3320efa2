/** The desktop UI: a window and a tray icon, a client of the daemon's local API only. */
@org.jspecify.annotations.NullMarked
module org.studioworker.ui {
  requires static org.jspecify;
  requires org.studioworker.runtime;
  requires java.desktop;
  requires java.net.http;
  requires tools.jackson.databind;
  requires org.slf4j;
  requires com.formdev.flatlaf;
  requires org.freedesktop.dbus;

  // dbus-java maps the tray's D-Bus interfaces and structs by reflection.
  exports org.studioworker.ui.tray.dbus to
      org.freedesktop.dbus;

  opens org.studioworker.ui.tray.dbus to
      org.freedesktop.dbus;

  provides org.studioworker.runtime.DesktopUi with
      org.studioworker.ui.DesktopUiProvider;
}
