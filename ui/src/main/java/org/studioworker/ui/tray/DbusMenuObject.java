package org.studioworker.ui.tray;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.freedesktop.dbus.errors.InvalidMethodArgument;
import org.freedesktop.dbus.errors.PropertyReadOnly;
import org.freedesktop.dbus.errors.UnknownInterface;
import org.freedesktop.dbus.errors.UnknownProperty;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.interfaces.Properties;
import org.freedesktop.dbus.messages.DBusSignal;
import org.freedesktop.dbus.types.UInt32;
import org.freedesktop.dbus.types.Variant;
import org.jspecify.annotations.Nullable;
import org.studioworker.ui.tray.dbus.DBusMenu;
import org.studioworker.ui.tray.dbus.LayoutReply;
import org.studioworker.ui.tray.dbus.MenuEvent;
import org.studioworker.ui.tray.dbus.MenuItemProperties;
import org.studioworker.ui.tray.dbus.MenuLayout;

/**
 * The object at {@code /MenuBar}: the tray's menu (Open window, Pause or Resume, a separator, Quit)
 * as {@code com.canonical.dbusmenu}. Thread-safe: the layout is rebuilt from one boolean.
 */
final class DbusMenuObject implements DBusMenu, Properties {
  private static final String MENU_INTERFACE = "com.canonical.dbusmenu";

  static final int ROOT = 0;
  static final int OPEN_WINDOW = 1;
  static final int PAUSE = 2;
  static final int SEPARATOR = 3;
  static final int QUIT = 4;
  private static final List<Integer> ITEMS = List.of(OPEN_WINDOW, PAUSE, SEPARATOR, QUIT);

  private final TrayActions actions;

  /** Guarded by {@code this}: whether the second item reads Resume, and the layout's revision. */
  private boolean paused;

  private long revision = 1;

  DbusMenuObject(TrayActions actions) {
    this.actions = actions;
  }

  /**
   * Names the second item Pause or Resume; returns the LayoutUpdated signal to send when that
   * changed, else null.
   */
  synchronized @Nullable DBusSignal showPaused(boolean nowPaused) throws DBusException {
    if (paused == nowPaused) {
      return null;
    }
    paused = nowPaused;
    return new LayoutUpdated(PATH, new UInt32(++revision), ROOT);
  }

  @Override
  public String getObjectPath() {
    return PATH;
  }

  @Override
  public LayoutReply<UInt32, MenuLayout> GetLayout(
      int parentId, int recursionDepth, List<String> propertyNames) {
    boolean nowPaused;
    long now;
    synchronized (this) {
      nowPaused = paused;
      now = revision;
    }
    if (parentId != ROOT && !ITEMS.contains(parentId)) {
      throw new InvalidMethodArgument("no menu item " + parentId);
    }
    List<Variant<?>> children = new ArrayList<>();
    // Depth 0 asks for the parent alone; the items are leaves, so any other depth gets them all.
    if (parentId == ROOT && recursionDepth != 0) {
      for (int id : ITEMS) {
        children.add(
            new MenuLayout(id, properties(id, nowPaused, propertyNames), List.of()).asChild());
      }
    }
    return new LayoutReply<>(
        new UInt32(now),
        new MenuLayout(parentId, properties(parentId, nowPaused, propertyNames), children));
  }

  @Override
  public List<MenuItemProperties> GetGroupProperties(
      List<Integer> ids, List<String> propertyNames) {
    boolean nowPaused;
    synchronized (this) {
      nowPaused = paused;
    }
    List<MenuItemProperties> found = new ArrayList<>();
    for (int id : ids.isEmpty() ? ITEMS : ids) {
      if (id == ROOT || ITEMS.contains(id)) {
        found.add(new MenuItemProperties(id, properties(id, nowPaused, propertyNames)));
      }
    }
    return found;
  }

  @Override
  public Variant<?> GetProperty(int id, String name) {
    boolean nowPaused;
    synchronized (this) {
      nowPaused = paused;
    }
    if (id != ROOT && !ITEMS.contains(id)) {
      throw new InvalidMethodArgument("no menu item " + id);
    }
    Variant<?> value = properties(id, nowPaused, List.of()).get(name);
    if (value == null) {
      throw new UnknownProperty("menu item " + id + " has no property " + name);
    }
    return value;
  }

  @Override
  public void Event(int id, String eventId, Variant<?> data, UInt32 timestamp) {
    if (id != ROOT && !ITEMS.contains(id)) {
      throw new InvalidMethodArgument("no menu item " + id);
    }
    event(id, eventId);
  }

  @Override
  public List<Integer> EventGroup(List<MenuEvent> events) {
    List<Integer> notFound = new ArrayList<>();
    for (MenuEvent e : events) {
      if (e.id != ROOT && !ITEMS.contains(e.id)) {
        notFound.add(e.id);
      } else {
        event(e.id, e.eventId);
      }
    }
    return notFound;
  }

  private void event(int id, String eventId) {
    // Only a click acts; "hovered", "opened" and "closed" tell us nothing we need.
    if (!"clicked".equals(eventId)) {
      return;
    }
    switch (id) {
      case OPEN_WINDOW -> actions.openWindow();
      case PAUSE -> actions.togglePause();
      case QUIT -> actions.quit();
      default -> {
        // The root and the separator are not clickable.
      }
    }
  }

  @Override
  public boolean AboutToShow(int id) {
    // The layout is sent whole and announced by LayoutUpdated, so nothing is ever stale here.
    return false;
  }

  @Override
  public LayoutReply<List<Integer>, List<Integer>> AboutToShowGroup(List<Integer> ids) {
    List<Integer> notFound = new ArrayList<>();
    for (int id : ids) {
      if (id != ROOT && !ITEMS.contains(id)) {
        notFound.add(id);
      }
    }
    return new LayoutReply<>(List.of(), notFound);
  }

  /** The properties of item {@code id} named in {@code names} (none named: all). */
  private static Map<String, Variant<?>> properties(int id, boolean paused, List<String> names) {
    Map<String, Variant<?>> all = new LinkedHashMap<>();
    switch (id) {
      case ROOT -> all.put("children-display", new Variant<>("submenu"));
      case OPEN_WINDOW -> all.put("label", new Variant<>("Open window"));
      case PAUSE -> all.put("label", new Variant<>(paused ? "Resume" : "Pause"));
      case SEPARATOR -> all.put("type", new Variant<>("separator"));
      case QUIT -> all.put("label", new Variant<>("Quit"));
      default -> throw new IllegalArgumentException("no menu item " + id);
    }
    if (!names.isEmpty()) {
      all.keySet().retainAll(names);
    }
    return all;
  }

  @Override
  @SuppressWarnings({"unchecked", "TypeParameterUnusedInFormals"})
  public <A> A Get(String iface, String name) {
    checkInterface(iface);
    Variant<?> value = menuProperties().get(name);
    if (value == null) {
      throw new UnknownProperty("no property " + name + " on " + MENU_INTERFACE);
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
    return menuProperties();
  }

  private static void checkInterface(String iface) {
    if (!iface.isEmpty() && !iface.equals(MENU_INTERFACE)) {
      throw new UnknownInterface("no interface " + iface + " at " + PATH);
    }
  }

  private static Map<String, Variant<?>> menuProperties() {
    Map<String, Variant<?>> p = new LinkedHashMap<>();
    p.put("Version", new Variant<>(new UInt32(3)));
    p.put("TextDirection", new Variant<>("ltr"));
    p.put("Status", new Variant<>("normal"));
    p.put("IconThemePath", new Variant<>(List.of(), "as"));
    return p;
  }
}
