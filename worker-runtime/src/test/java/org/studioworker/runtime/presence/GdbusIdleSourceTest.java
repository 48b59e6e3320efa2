package org.studioworker.runtime.presence;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What {@code gdbus call} prints, parsed strictly; a missing or failing gdbus is unknown. */
final class GdbusIdleSourceTest {
  @TempDir Path dir;

  @Test
  void readsTheRecordedAnswersOfBothMethods() {
    // As GNOME's Mutter and KDE's screensaver print them.
    assertThat(GdbusIdleSource.parse("(uint64 12345,)\n")).hasValue(12345);
    assertThat(GdbusIdleSource.parse("(uint32 0,)\n")).hasValue(0);
    assertThat(GdbusIdleSource.parse("(uint64 12345,)")).hasValue(12345);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "\n",
        "(uint64 -1,)",
        "(int64 12,)",
        "(uint64 12)",
        "(uint64 12,) ",
        " (uint64 12,)",
        "(uint64 12,)\n\n",
        "(uint64 99999999999999999999,)",
        "Error: GDBus.Error:org.freedesktop.DBus.Error.ServiceUnknown",
        "(uint64 1,)\n(uint64 2,)"
      })
  void anythingElseIsUnknown(String output) {
    assertThat(GdbusIdleSource.parse(output)).isEmpty();
  }

  @Test
  void aMissingGdbusIsUnknown() {
    GdbusIdleSource source =
        new GdbusIdleSource(dir.resolve("no-such-gdbus").toString(), GdbusIdleSource.Method.MUTTER);

    assertThat(source.idleTime()).isEmpty();
  }

  @Test
  void aRealProcessAnswerIsRead() throws Exception {
    Path gdbus = script("printf '(uint64 4321,)\\n'");

    GdbusIdleSource source = new GdbusIdleSource(gdbus.toString(), GdbusIdleSource.Method.MUTTER);

    assertThat(source.idleTime()).contains(Duration.ofMillis(4321));
  }

  @Test
  void aFailingCallIsUnknownEvenWithOutput() throws Exception {
    Path gdbus = script("printf '(uint64 4321,)\\n'; exit 1");

    assertThat(
            new GdbusIdleSource(gdbus.toString(), GdbusIdleSource.Method.SCREEN_SAVER).idleTime())
        .isEmpty();
  }

  @Test
  void aHangingCallIsGivenUpAfterItsTimeout() throws Exception {
    Path gdbus = script("exec sleep 30");
    long start = System.nanoTime();

    assertThat(new GdbusIdleSource(gdbus.toString(), GdbusIdleSource.Method.MUTTER).idleTime())
        .isEmpty();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void withNeitherDisplayNorBusTheSourceIsUnknownAndSaysWhy() {
    IdleSource source =
        IdleSources.detect(java.util.Map.of(), dir.resolve("no-such-gdbus").toString());

    assertThat(source).isInstanceOf(UnknownIdleSource.class);
    assertThat(source.idleTime()).isEmpty();
    assertThat(source.describe())
        .contains("X11: DISPLAY is not set")
        .contains("org.gnome.Mutter.IdleMonitor: no answer")
        .contains("org.freedesktop.ScreenSaver: no answer");
  }

  @Test
  void theArgumentsNameTheMethod() throws Exception {
    Path args = dir.resolve("args");
    Path gdbus = script("printf '%s\\n' \"$@\" > " + args + "; printf '(uint64 1,)\\n'");

    new GdbusIdleSource(gdbus.toString(), GdbusIdleSource.Method.MUTTER).idleTime();

    assertThat(Files.readAllLines(args))
        .containsExactly(
            "call",
            "--session",
            "--timeout",
            "2",
            "--dest",
            "org.gnome.Mutter.IdleMonitor",
            "--object-path",
            "/org/gnome/Mutter/IdleMonitor/Core",
            "--method",
            "org.gnome.Mutter.IdleMonitor.GetIdletime");
  }

  private Path script(String body) throws Exception {
    Path file = dir.resolve("gdbus-" + System.nanoTime());
    Files.writeString(file, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
    return file;
  }
}
