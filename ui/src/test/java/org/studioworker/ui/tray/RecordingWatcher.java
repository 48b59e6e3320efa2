package org.studioworker.ui.tray;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.freedesktop.dbus.connections.AbstractConnection;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.interfaces.DBus;
import org.studioworker.ui.tray.dbus.StatusNotifierWatcher;

/**
 * A StatusNotifierWatcher over a real connection that records who registered which item; one that
 * {@code stalls} answers only once closed, as a hung panel would.
 */
final class RecordingWatcher implements StatusNotifierWatcher, AutoCloseable {
  /** One call of RegisterStatusNotifierItem: the argument and the caller's unique name. */
  record Registration(String service, String caller) {}

  private final DBusConnection connection;
  private final boolean stalls;
  private final CountDownLatch released = new CountDownLatch(1);
  private final List<Registration> registrations = new CopyOnWriteArrayList<>();

  private RecordingWatcher(DBusConnection connection, boolean stalls) {
    this.connection = connection;
    this.stalls = stalls;
  }

  /** Owns the watcher's name on {@code bus} and exports the watcher. */
  static RecordingWatcher start(PrivateBus bus, boolean stalls) throws DBusException {
    DBusConnection connection = bus.connect();
    RecordingWatcher watcher = new RecordingWatcher(connection, stalls);
    connection.exportObject(watcher);
    connection.requestBusName(BUS_NAME);
    return watcher;
  }

  static RecordingWatcher start(PrivateBus bus) throws DBusException {
    return start(bus, false);
  }

  @Override
  public String getObjectPath() {
    return PATH;
  }

  @Override
  public void RegisterStatusNotifierItem(String service) {
    registrations.add(new Registration(service, AbstractConnection.getCallInfo().getSource()));
    if (stalls) {
      try {
        released.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  List<Registration> registrations() {
    return List.copyOf(registrations);
  }

  /** The unique name of the connection that owns {@code name}, as the bus daemon says. */
  String ownerOf(String name) {
    return connection.getDBusOwnerName(name);
  }

  /** Whether any connection owns {@code name} now. */
  boolean nameHasOwner(String name) throws DBusException {
    return connection
        .getRemoteObject("org.freedesktop.DBus", "/org/freedesktop/DBus", DBus.class)
        .NameHasOwner(name);
  }

  @Override
  public void close() throws IOException {
    released.countDown();
    connection.close();
  }
}
