package org.studioworker.ui.tray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.freedesktop.dbus.DBusPath;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.exceptions.DBusExecutionException;
import org.freedesktop.dbus.interfaces.Properties;
import org.freedesktop.dbus.messages.DBusSignal;
import org.freedesktop.dbus.types.UInt32;
import org.freedesktop.dbus.types.Variant;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.ui.tray.Tray.Light;
import org.studioworker.ui.tray.Tray.State;
import org.studioworker.ui.tray.dbus.DBusMenu;
import org.studioworker.ui.tray.dbus.LayoutReply;
import org.studioworker.ui.tray.dbus.MenuEvent;
import org.studioworker.ui.tray.dbus.MenuItemProperties;
import org.studioworker.ui.tray.dbus.MenuLayout;
import org.studioworker.ui.tray.dbus.StatusNotifierItem;

/** The StatusNotifierItem and its menu against a private dbus-daemon, read by a second client. */
final class StatusNotifierTrayTest {
  private static final String ITEM = "org.kde.StatusNotifierItem";
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;
  private @Nullable PrivateBus bus;
  private @Nullable RecordingWatcher watcher;
  private final RecordingActions actions = new RecordingActions();
  private @Nullable StatusNotifierTray tray;
  private @Nullable DBusConnection client;
  private final BlockingQueue<DBusSignal> signals = new LinkedBlockingQueue<>();

  @BeforeEach
  void startBusWatcherAndTray() throws Exception {
    bus = PrivateBus.start(dir);
    watcher = RecordingWatcher.start(bus);
    StatusNotifierTray.Start start =
        StatusNotifierTray.start(bus.address(), actions, Duration.ofSeconds(1));
    assertThat(start).isInstanceOf(StatusNotifierTray.Started.class);
    tray = ((StatusNotifierTray.Started) start).tray();
    client = bus.connect();
    client.addSigHandler(StatusNotifierItem.NewIcon.class, signals::add);
    client.addSigHandler(StatusNotifierItem.NewToolTip.class, signals::add);
    client.addSigHandler(StatusNotifierItem.NewStatus.class, signals::add);
    client.addSigHandler(DBusMenu.LayoutUpdated.class, signals::add);
  }

  @AfterEach
  void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    if (tray != null) {
      tray.close();
    }
    if (watcher != null) {
      watcher.close();
    }
    if (bus != null) {
      bus.close();
    }
  }

  @Test
  void registersWithTheWatcherUnderAPidName() {
    assertThat(tray.busName())
        .matches("org\\.kde\\.StatusNotifierItem-" + ProcessHandle.current().pid() + "-\\d+");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(watcher.registrations())
                    .containsExactly(
                        new RecordingWatcher.Registration(
                            tray.busName(), watcher.ownerOf(tray.busName()))));
  }

  @Test
  void servesItsPropertiesOverTheBus() throws Exception {
    Map<String, Variant<?>> all = item().GetAll(ITEM);
    assertThat(all.get("Category").getValue()).isEqualTo("ApplicationStatus");
    assertThat(all.get("Id").getValue()).isEqualTo("studio-worker");
    assertThat(all.get("Title").getValue()).isEqualTo("Studio worker");
    assertThat(all.get("Status").getValue()).isEqualTo("Active");
    assertThat(all.get("IconName").getValue()).isEqualTo("");
    assertThat(all.get("ItemIsMenu").getValue()).isEqualTo(false);
    assertThat(all.get("Menu").getSig()).isEqualTo("o");
    assertThat(((DBusPath) all.get("Menu").getValue()).getPath()).isEqualTo("/MenuBar");
    assertThat(all.get("IconPixmap").getSig()).isEqualTo("a(iiay)");
    assertThat(BusValues.pixmaps(all.get("IconPixmap").getValue()))
        .extracting(BusValues.Read::width, BusValues.Read::height)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(22, 22),
            org.assertj.core.groups.Tuple.tuple(32, 32),
            org.assertj.core.groups.Tuple.tuple(64, 64));
    assertThat(all.get("ToolTip").getSig()).isEqualTo("(sa(iiay)ss)");
    String status = item().Get(ITEM, "Status");
    assertThat(status).isEqualTo("Active");
  }

  @Test
  void eachLightPaintsItsColourAtTheCentreOfEveryPixmap() throws Exception {
    assertCentres(Light.GREEN);
    tray.show(new State(Light.AMBER, "running a job", false));
    assertCentres(Light.AMBER);
    tray.show(new State(Light.RED, "the studio refused the token", false));
    assertCentres(Light.RED);
  }

  @Test
  void amberEmitsNewIconOnceAndChangesThePixmap() throws Exception {
    tray.show(new State(Light.AMBER, "Studio worker", false));
    assertThat(next()).isInstanceOf(StatusNotifierItem.NewIcon.class);
    assertCentres(Light.AMBER);
    // The same state again sends nothing: the tooltip change after it is the next signal.
    tray.show(new State(Light.AMBER, "Studio worker", false));
    tray.show(new State(Light.AMBER, "running job 7", false));
    assertThat(next()).isInstanceOf(StatusNotifierItem.NewToolTip.class);
    assertThat(signals.poll(200, TimeUnit.MILLISECONDS)).isNull();
    Object[] toolTip = (Object[]) item().GetAll(ITEM).get("ToolTip").getValue();
    assertThat(toolTip[2]).isEqualTo("Studio worker");
    assertThat(toolTip[3]).isEqualTo("running job 7");
  }

  @Test
  void redNeedsAttention() throws Exception {
    tray.show(new State(Light.RED, "Studio worker", false));
    assertThat(next()).isInstanceOf(StatusNotifierItem.NewIcon.class);
    DBusSignal status = next();
    assertThat(status).isInstanceOf(StatusNotifierItem.NewStatus.class);
    assertThat(((StatusNotifierItem.NewStatus) status).status()).isEqualTo("NeedsAttention");
    String now = item().Get(ITEM, "Status");
    assertThat(now).isEqualTo("NeedsAttention");
  }

  @Test
  void layoutHasTheThreeItemsAndASeparator() throws Exception {
    LayoutReply<UInt32, MenuLayout> reply = menu().GetLayout(0, -1, List.of());
    BusValues.Node root = root(reply);
    assertThat(root.id()).isZero();
    assertThat(root.properties()).containsEntry("children-display", "submenu");
    assertThat(root.children())
        .extracting(node -> node.properties().getOrDefault("label", node.properties().get("type")))
        .containsExactly("Open window", "Pause", "separator", "Quit");
    assertThat(root.children()).allSatisfy(child -> assertThat(child.children()).isEmpty());
    assertThat(root(menu().GetLayout(0, 0, List.of())).children()).isEmpty();
    assertThat(root(menu().GetLayout(0, -1, List.of("type"))).children().get(0).properties())
        .isEmpty();
    assertThatThrownBy(() -> menu().GetLayout(99, -1, List.of()))
        .isInstanceOf(DBusExecutionException.class);
  }

  @Test
  void pausedFlipsTheLabelToResumeAndAnnouncesTheLayout() throws Exception {
    long before = menu().GetLayout(0, -1, List.of()).first.longValue();
    tray.show(new State(Light.GREEN, "Studio worker", true));
    DBusSignal updated = next();
    assertThat(updated).isInstanceOf(DBusMenu.LayoutUpdated.class);
    assertThat(((DBusMenu.LayoutUpdated) updated).parent()).isZero();
    LayoutReply<UInt32, MenuLayout> reply = menu().GetLayout(0, -1, List.of());
    assertThat(reply.first.longValue()).isGreaterThan(before);
    assertThat(((DBusMenu.LayoutUpdated) updated).revision()).isEqualTo(reply.first);
    assertThat(root(reply).children().get(1).properties()).containsEntry("label", "Resume");
    assertThat(menu().GetProperty(2, "label").getValue()).isEqualTo("Resume");
  }

  @Test
  void clicksCallTheActionsOnTheTraysThread() throws Exception {
    DBusMenu menu = menu();
    menu.Event(1, "hovered", new Variant<>(""), new UInt32(0));
    menu.Event(1, "clicked", new Variant<>(""), new UInt32(0));
    menu.Event(2, "clicked", new Variant<>(0), new UInt32(0));
    menu.Event(4, "clicked", new Variant<>(""), new UInt32(0));
    client
        .getRemoteObject(tray.busName(), "/StatusNotifierItem", StatusNotifierItem.class)
        .Activate(10, 10);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(actions.actions())
                    .containsExactly("openWindow", "togglePause", "quit", "openWindow"));
    assertThat(actions.calls())
        .allSatisfy(call -> assertThat(call.thread()).isEqualTo("studio-worker-tray"));
    assertThatThrownBy(() -> menu.Event(42, "clicked", new Variant<>(""), new UInt32(0)))
        .isInstanceOf(DBusExecutionException.class);
  }

  @Test
  void groupCallsActOnKnownIdsAndNameTheUnknown() throws Exception {
    DBusMenu menu = menu();
    List<Integer> notFound =
        menu.EventGroup(
            List.of(
                new MenuEvent(4, "clicked", new Variant<>(""), new UInt32(0)),
                new MenuEvent(9, "clicked", new Variant<>(""), new UInt32(0))));
    assertThat(notFound).containsExactly(9);
    await().atMost(WAIT).untilAsserted(() -> assertThat(actions.actions()).containsExactly("quit"));
    LayoutReply<List<Integer>, List<Integer>> shown = menu.AboutToShowGroup(List.of(0, 2, 7));
    assertThat(shown.first).isEmpty();
    assertThat(shown.second).containsExactly(7);
    assertThat(menu.AboutToShow(0)).isFalse();
    List<MenuItemProperties> group = menu.GetGroupProperties(List.of(1, 3, 8), List.of());
    assertThat(group).extracting(item -> item.id).containsExactly(1, 3);
    assertThat(group.get(0).properties.get("label").getValue()).isEqualTo("Open window");
    assertThat(group.get(1).properties.get("type").getValue()).isEqualTo("separator");
  }

  @Test
  void menuPropertiesSayVersionThree() throws Exception {
    Properties properties = client.getRemoteObject(tray.busName(), "/MenuBar", Properties.class);
    Map<String, Variant<?>> all = properties.GetAll("com.canonical.dbusmenu");
    assertThat(all.get("Version").getValue()).isEqualTo(new UInt32(3));
    assertThat(all.get("TextDirection").getValue()).isEqualTo("ltr");
    assertThat(all.get("Status").getValue()).isEqualTo("normal");
    assertThat(all.get("IconThemePath").getSig()).isEqualTo("as");
  }

  @Test
  void aWatcherThatAppearsLaterGetsTheRegistration() throws Exception {
    await().atMost(WAIT).until(() -> watcher.registrations().size() == 1);
    watcher.close();
    try (RecordingWatcher restarted = RecordingWatcher.start(bus)) {
      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(restarted.registrations())
                      .extracting(RecordingWatcher.Registration::service)
                      .containsExactly(tray.busName()));
    }
  }

  @Test
  void closeLeavesTheBus() throws Exception {
    String name = tray.busName();
    tray.close();
    tray.show(new State(Light.RED, "after close", true));
    await().atMost(WAIT).until(() -> !watcher.nameHasOwner(name));
  }

  @Test
  void survivesTheBusGoingAway() throws Exception {
    client.close();
    client = null;
    watcher.close();
    watcher = null;
    bus.close();
    bus = null;
    tray.show(new State(Light.RED, "the bus is gone", true));
    tray.show(new State(Light.AMBER, "still gone", false));
    tray.close();
    tray = null;
  }

  private void assertCentres(Light light) throws Exception {
    Map<String, Variant<?>> all = item().GetAll(ITEM);
    assertThat(BusValues.pixmaps(all.get("IconPixmap").getValue()))
        .allSatisfy(pixmap -> assertThat(pixmap.centre()).isEqualTo(IconPainter.fill(light)));
  }

  private DBusSignal next() throws InterruptedException {
    @Nullable DBusSignal signal = signals.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(signal).as("a signal within %s", WAIT).isNotNull();
    return signal;
  }

  private Properties item() throws Exception {
    return client.getRemoteObject(tray.busName(), "/StatusNotifierItem", Properties.class);
  }

  private DBusMenu menu() throws Exception {
    return client.getRemoteObject(tray.busName(), "/MenuBar", DBusMenu.class);
  }

  private static BusValues.Node root(LayoutReply<UInt32, MenuLayout> reply) {
    return BusValues.node(reply.second.id, reply.second.properties, reply.second.children);
  }
}
