/**
 * The D-Bus interfaces of the tray, as dbus-java maps them: StatusNotifierItem, its watcher and the
 * dbusmenu; exported to dbus-java only, which reads them by reflection.
 */
package org.studioworker.ui.tray.dbus;
