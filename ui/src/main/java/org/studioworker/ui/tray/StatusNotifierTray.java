package org.studioworker.ui.tray;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.freedesktop.dbus.DBusAsyncReply;
import org.freedesktop.dbus.DBusPath;
import org.freedesktop.dbus.connections.IDisconnectCallback;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.errors.PropertyReadOnly;
import org.freedesktop.dbus.errors.UnknownInterface;
import org.freedesktop.dbus.errors.UnknownProperty;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.interfaces.DBus;
import org.freedesktop.dbus.interfaces.Properties;
import org.freedesktop.dbus.messages.DBusSignal;
import org.freedesktop.dbus.messages.Message;
import org.freedesktop.dbus.types.Variant;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.studioworker.ui.tray.dbus.DBusMenu;
import org.studioworker.ui.tray.dbus.Pixmap;
import org.studioworker.ui.tray.dbus.StatusNotifierItem;
import org.studioworker.ui.tray.dbus.StatusNotifierWatcher;
import org.studioworker.ui.tray.dbus.ToolTip;

/**
 * The tray as a StatusNotifierItem on the session bus (what KDE's panel and GNOME's AppIndicator
 * extension show): an item at {@code /StatusNotifierItem} under the name {@code
 * org.kde.StatusNotifierItem-<pid>-<n>}, its menu at {@code /MenuBar}, registered with the watcher
 * and again whenever a watcher takes the name anew. Thread-safe; {@link #show} sends signals and
 * never blocks on a reply.
 */
final class StatusNotifierTray implements Tray {
  private static final Logger LOG = LoggerFactory.getLogger(StatusNotifierTray.class);
  private static final String ITEM_INTERFACE = "org.kde.StatusNotifierItem";
  private static final String PIXMAPS = "a(iiay)";
  static final String TITLE = "Studio worker";
  private static final int CONNECT_TIMEOUT_MS = 2000;

  /** Numbers this JVM's items, the {@code <n>} of the bus name, as other SNI libraries do. */
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  /** How {@link #start} ended. */
  sealed interface Start permits Started, Unavailable {}

  /** The item is on the bus and the watcher took it. */
  record Started(StatusNotifierTray tray) implements Start {}

  /** There is no item; {@code reason} says why, for the log. */
  record Unavailable(String reason) implements Start {}

  private final DBusConnection bus;
  private final String busName;
  private final TrayActions actions;
  private final Duration watcherTimeout;
  private final AtomicBoolean lost;
  private final DbusMenuObject menu;
  private final ItemObject item = new ItemObject();

  /** Guarded by {@code this}: what the icon shows and its pixmaps. */
  private State state = new State(Light.GREEN, TITLE, false);

  private List<Pixmap> pixmaps = IconPainter.pixmaps(Light.GREEN);
  private boolean closed;

  private StatusNotifierTray(
      DBusConnection bus,
      String busName,
      TrayActions actions,
      Duration watcherTimeout,
      AtomicBoolean lost) {
    this.bus = bus;
    this.busName = busName;
    this.actions = actions;
    this.watcherTimeout = watcherTimeout;
    this.lost = lost;
    this.menu = new DbusMenuObject(actions);
  }

  /**
   * Connects to the bus at {@code address}, exports the item and its menu and registers them with
   * the watcher, waiting at most {@code watcherTimeout} for its answer; blocks that long at most
   * past connecting. Never throws: a missing bus or watcher is an {@link Unavailable}.
   */
  static Start start(String address, Tray.Actions actions, Duration watcherTimeout) {
    AtomicBoolean lost = new AtomicBoolean();
    DBusConnection bus;
    try {
      bus =
          DBusConnectionBuilder.forAddress(address)
              // Why 2 s: dbus-java waits 10 s by default on a bus that is not there (a stale
              // address), and the window waits for the tray.
              .transportConfig()
              .withTimeout(CONNECT_TIMEOUT_MS)
              .back()
              .withShared(false)
              .withDisconnectCallback(new LostBus(lost))
              .build();
    } catch (DBusException | RuntimeException e) {
      return new Unavailable("cannot connect to the session bus: " + e.getMessage());
    }
    TrayActions thread = new TrayActions(actions);
    String name =
        "org.kde.StatusNotifierItem-"
            + ProcessHandle.current().pid()
            + "-"
            + INSTANCES.incrementAndGet();
    StatusNotifierTray tray = new StatusNotifierTray(bus, name, thread, watcherTimeout, lost);
    try {
      DBus daemon =
          bus.getRemoteObject("org.freedesktop.DBus", "/org/freedesktop/DBus", DBus.class);
      if (!daemon.NameHasOwner(StatusNotifierWatcher.BUS_NAME)) {
        tray.close();
        return new Unavailable(
            "no StatusNotifierWatcher on the session bus (on GNOME it takes the AppIndicator"
                + " extension)");
      }
      bus.requestBusName(name);
      bus.exportObject(tray.item);
      bus.exportObject(tray.menu);
      // Why watch: a panel that restarts (gnome-shell, plasmashell) forgets its items, and a new
      // watcher learns of us only if we register again.
      bus.addSigHandler(
          DBus.NameOwnerChanged.class,
          signal -> {
            if (StatusNotifierWatcher.BUS_NAME.equals(signal.name) && !signal.newOwner.isEmpty()) {
              thread.execute("registering with the new StatusNotifierWatcher", tray::registerAgain);
            }
          });
      @Nullable String refused = tray.register();
      if (refused != null) {
        tray.close();
        return new Unavailable(refused);
      }
      return new Started(tray);
    } catch (DBusException | RuntimeException e) {
      tray.close();
      return new Unavailable("cannot export the StatusNotifierItem: " + e.getMessage());
    }
  }

  /** The bus name the item owns. */
  String busName() {
    return busName;
  }

  /** Registers with the watcher; returns why not, or null when it answered with success. */
  private @Nullable String register() {
    try {
      StatusNotifierWatcher watcher =
          bus.getRemoteObject(
              StatusNotifierWatcher.BUS_NAME,
              StatusNotifierWatcher.PATH,
              StatusNotifierWatcher.class);
      DBusAsyncReply<?> reply = bus.callMethodAsync(watcher, "RegisterStatusNotifierItem", busName);
      Message answer = reply.getCall().getReply(watcherTimeout.toMillis());
      if (answer == null) {
        return "the StatusNotifierWatcher did not answer within "
            + watcherTimeout.toMillis()
            + " ms";
      }
      if (answer instanceof org.freedesktop.dbus.messages.Error error) {
        return "the StatusNotifierWatcher refused the item: " + error.getName();
      }
      return null;
    } catch (DBusException | RuntimeException e) {
      return "cannot reach the StatusNotifierWatcher: " + e.getMessage();
    }
  }

  private void registerAgain() {
    @Nullable String refused = register();
    if (refused == null) {
      LOG.info("tray: registered with the new StatusNotifierWatcher");
    } else {
      LOG.warn("tray: {}", refused);
    }
  }

  @Override
  public void show(State next) {
    Objects.requireNonNull(next, "state");
    List<DBusSignal> signals = new ArrayList<>(4);
    try {
      synchronized (this) {
        if (closed || next.equals(state)) {
          return;
        }
        State before = state;
        state = next;
        if (before.light() != next.light()) {
          pixmaps = IconPainter.pixmaps(next.light());
          signals.add(new StatusNotifierItem.NewIcon(StatusNotifierItem.PATH));
        }
        if (!status(before).equals(status(next))) {
          signals.add(new StatusNotifierItem.NewStatus(StatusNotifierItem.PATH, status(next)));
        }
        if (!before.tooltip().equals(next.tooltip())) {
          signals.add(new StatusNotifierItem.NewToolTip(StatusNotifierItem.PATH));
        }
        // Under this lock, so that two racing calls leave the menu as the state they leave.
        @Nullable DBusSignal layout = menu.showPaused(next.paused());
        if (layout != null) {
          signals.add(layout);
        }
      }
    } catch (DBusException e) {
      busFailed(e);
      return;
    }
    signals.forEach(this::send);
  }

  private static String status(State state) {
    return state.light() == Light.RED ? "NeedsAttention" : "Active";
  }

  /** Sends {@code signal} unless the bus is gone; a failure is logged once. */
  private void send(DBusSignal signal) {
    if (lost.get() || !bus.isConnected()) {
      busFailed(null);
      return;
    }
    try {
      bus.sendMessage(signal);
    } catch (RuntimeException e) {
      busFailed(e);
    }
  }

  private void busFailed(@Nullable Exception cause) {
    if (!lost.getAndSet(true)) {
      LOG.warn(
          "tray: the session bus connection is gone; the icon stops updating{}",
          cause == null ? "" : " (" + cause.getMessage() + ")");
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    actions.close();
    if (bus.isConnected()) {
      try {
        bus.releaseBusName(busName);
      } catch (DBusException | RuntimeException e) {
        LOG.debug("tray: releasing {} failed", busName, e);
      }
    }
    try {
      bus.close();
    } catch (IOException | RuntimeException e) {
      LOG.debug("tray: closing the bus connection failed", e);
    }
  }

  /** Logs the loss of the bus once, whoever notices first. */
  private record LostBus(AtomicBoolean lost) implements IDisconnectCallback {
    @Override
    public void disconnectOnError(IOException e) {
      if (!lost.getAndSet(true)) {
        LOG.warn(
            "tray: the session bus connection failed; the icon stops updating ({})",
            e.getMessage());
      }
    }
  }

  /** The object at {@code /StatusNotifierItem}: the item's methods and properties. */
  private final class ItemObject implements StatusNotifierItem, Properties {
    @Override
    public String getObjectPath() {
      return PATH;
    }

    @Override
    public void Activate(int x, int y) {
      actions.openWindow();
    }

    @Override
    public void SecondaryActivate(int x, int y) {
      // A middle click does nothing on purpose: pausing by a stray click would surprise.
    }

    @Override
    public void ContextMenu(int x, int y) {
      // The host draws the menu from the Menu property; we draw none ourselves.
    }

    @Override
    public void Scroll(int delta, String orientation) {
      // Scrolling has no meaning for a status light.
    }

    @Override
    @SuppressWarnings({"unchecked", "TypeParameterUnusedInFormals"})
    public <A> A Get(String iface, String name) {
      checkInterface(iface);
      Variant<?> value = properties().get(name);
      if (value == null) {
        throw new UnknownProperty("no property " + name + " on " + ITEM_INTERFACE);
      }
      return (A) value;
    }

    @Override
    public <A> void Set(String iface, String name, A value) {
      checkInterface(iface);
      throw new PropertyReadOnly(name + " is read-only");
    }

    @Override
    public Map<String, Variant<?>> GetAll(String iface) {
      checkInterface(iface);
      return properties();
    }

    private void checkInterface(String iface) {
      if (!iface.isEmpty() && !iface.equals(ITEM_INTERFACE)) {
        throw new UnknownInterface("no interface " + iface + " at " + PATH);
      }
    }

    private Map<String, Variant<?>> properties() {
      State shown;
      List<Pixmap> icon;
      synchronized (StatusNotifierTray.this) {
        shown = state;
        icon = pixmaps;
      }
      Map<String, Variant<?>> p = new LinkedHashMap<>();
      p.put("Category", new Variant<>("ApplicationStatus"));
      p.put("Id", new Variant<>("studio-worker"));
      p.put("Title", new Variant<>(TITLE));
      p.put("Status", new Variant<>(status(shown)));
      p.put("WindowId", new Variant<>(0));
      p.put("IconThemePath", new Variant<>(""));
      // An empty IconName makes hosts draw IconPixmap, our painted light.
      p.put("IconName", new Variant<>(""));
      p.put("IconPixmap", new Variant<>(icon, PIXMAPS));
      p.put("OverlayIconName", new Variant<>(""));
      p.put("OverlayIconPixmap", new Variant<>(List.of(), PIXMAPS));
      p.put("AttentionIconName", new Variant<>(""));
      p.put("AttentionIconPixmap", new Variant<>(List.of(), PIXMAPS));
      p.put("AttentionMovieName", new Variant<>(""));
      p.put(
          "ToolTip",
          new Variant<>(new ToolTip("", List.of(), TITLE, shown.tooltip()), ToolTip.SIGNATURE));
      p.put("ItemIsMenu", new Variant<>(false));
      p.put("Menu", new Variant<>(new DBusPath(DBusMenu.PATH)));
      return p;
    }
  }
}
