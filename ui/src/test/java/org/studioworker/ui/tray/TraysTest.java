package org.studioworker.ui.tray;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.GraphicsEnvironment;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@link Trays} picks a tray, against a private bus with and without a watcher. */
final class TraysTest {
  @TempDir Path dir;

  @Test
  void picksTheStatusNotifierItemWhereAWatcherAnswers() throws Exception {
    try (PrivateBus bus = PrivateBus.start(dir);
        RecordingWatcher watcher = RecordingWatcher.start(bus)) {
      Trays.Choice choice = Trays.choose(env(bus), new RecordingActions());
      try (Tray tray = choice.tray()) {
        assertThat(tray).isInstanceOf(StatusNotifierTray.class);
        assertThat(choice.reason()).startsWith("StatusNotifierItem org.kde.StatusNotifierItem-");
        assertThat(watcher.registrations()).hasSize(1);
      }
    }
  }

  @Test
  void fallsBackWithoutAWatcherAndLeavesNoNameBehind() throws Exception {
    try (PrivateBus bus = PrivateBus.start(dir)) {
      Trays.Choice choice = Trays.choose(env(bus), new RecordingActions());
      try (Tray tray = choice.tray()) {
        assertThat(tray).isNotInstanceOf(StatusNotifierTray.class);
        assertThat(choice.reason()).contains("no StatusNotifierWatcher on the session bus");
        assertHeadlessMeansNone(choice);
      }
      try (var probe = bus.connect()) {
        assertThat(
                probe
                    .getRemoteObject(
                        "org.freedesktop.DBus",
                        "/org/freedesktop/DBus",
                        org.freedesktop.dbus.interfaces.DBus.class)
                    .ListNames())
            .noneMatch(name -> name.startsWith("org.kde.StatusNotifierItem"));
      }
    }
  }

  @Test
  void fallsBackWhenTheWatcherDoesNotAnswerWithinASecond() throws Exception {
    try (PrivateBus bus = PrivateBus.start(dir);
        RecordingWatcher stalled = RecordingWatcher.start(bus, true)) {
      Instant started = Instant.now();
      Trays.Choice choice = Trays.choose(env(bus), new RecordingActions());
      try (Tray tray = choice.tray()) {
        assertThat(Duration.between(started, Instant.now())).isLessThan(Duration.ofSeconds(5));
        assertThat(tray).isNotInstanceOf(StatusNotifierTray.class);
        assertThat(choice.reason())
            .contains("the StatusNotifierWatcher did not answer within 1000 ms");
        assertThat(stalled.registrations()).hasSize(1);
        assertHeadlessMeansNone(choice);
      }
    }
  }

  @Test
  void fallsBackWithoutASessionBus() {
    Trays.Choice choice = Trays.choose(Map.of(), new RecordingActions());
    assertThat(choice.reason()).contains("no session bus (DBUS_SESSION_BUS_ADDRESS is not set)");
    assertHeadlessMeansNone(choice);
  }

  @Test
  void fallsBackWhenTheBusIsNotThere() {
    Instant started = Instant.now();
    Trays.Choice choice =
        Trays.choose(
            Map.of("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + dir.resolve("no-bus-here")),
            new RecordingActions());
    assertThat(choice.reason()).contains("cannot connect to the session bus");
    // dbus-java's own connect timeout is 10 s; the window must not wait that long for no bus.
    assertThat(Duration.between(started, Instant.now())).isLessThan(Duration.ofSeconds(5));
    assertHeadlessMeansNone(choice);
  }

  @Test
  void startNeverThrowsAndShowsOnTheTrayItPicked() {
    Tray tray = Trays.start(Map.of(), new RecordingActions());
    tray.show(new Tray.State(Tray.Light.AMBER, "running", true));
    tray.close();
    tray.close();
  }

  private static void assertHeadlessMeansNone(Trays.Choice choice) {
    // This JVM has no display in CI, so the fallback after the bus is the tray that shows nothing.
    if (GraphicsEnvironment.isHeadless()) {
      assertThat(choice.tray()).isInstanceOf(NoTray.class);
      assertThat(choice.reason()).startsWith("no tray icon: ").endsWith("and there is no display");
    }
  }

  private static Map<String, String> env(PrivateBus bus) {
    return Map.of("DBUS_SESSION_BUS_ADDRESS", bus.address());
  }
}
