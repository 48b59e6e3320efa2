package org.studioworker.ui.tray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An outside check: {@code dbus-send}, libdbus's own client, reads our objects off the wire. */
final class DbusSendTest {
  private static final Path DBUS_SEND = Path.of("/usr/bin/dbus-send");

  @TempDir Path dir;

  @Test
  void dbusSendReadsTheStatusAndTheLayout() throws Exception {
    assumeTrue(
        Files.isExecutable(DBUS_SEND), "dbus-send is not installed (apt-get install dbus-bin)");
    try (PrivateBus bus = PrivateBus.start(dir);
        RecordingWatcher watcher = RecordingWatcher.start(bus)) {
      StatusNotifierTray.Start start =
          StatusNotifierTray.start(bus.address(), new RecordingActions(), Duration.ofSeconds(1));
      assertThat(start).isInstanceOf(StatusNotifierTray.Started.class);
      try (StatusNotifierTray tray = ((StatusNotifierTray.Started) start).tray()) {
        String status =
            dbusSend(
                bus,
                tray.busName(),
                "/StatusNotifierItem",
                "org.freedesktop.DBus.Properties.Get",
                "string:org.kde.StatusNotifierItem",
                "string:Status");
        assertThat(status).contains("variant").contains("string \"Active\"");

        String pixmaps =
            dbusSend(
                bus,
                tray.busName(),
                "/StatusNotifierItem",
                "org.freedesktop.DBus.Properties.Get",
                "string:org.kde.StatusNotifierItem",
                "string:IconPixmap");
        assertThat(pixmaps).contains("int32 22").contains("int32 32").contains("int32 64");

        String layout =
            dbusSend(
                bus,
                tray.busName(),
                "/MenuBar",
                "com.canonical.dbusmenu.GetLayout",
                "int32:0",
                "int32:-1",
                "array:string:");
        // libdbus prints the reply by type: the revision, then the root struct with variant
        // children.
        assertThat(layout)
            .containsSubsequence(
                "uint32 1",
                "struct {",
                "int32 0",
                "string \"children-display\"",
                "variant",
                "struct {",
                "int32 1",
                "string \"Open window\"",
                "string \"Pause\"",
                "string \"separator\"",
                "string \"Quit\"");
      }
    }
  }

  private static String dbusSend(
      PrivateBus bus, String dest, String path, String method, String... args) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                DBUS_SEND.toString(),
                "--session",
                "--print-reply",
                "--dest=" + dest,
                path,
                method));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("DBUS_SESSION_BUS_ADDRESS", bus.address());
    Process process = builder.start();
    CompletableFuture<String> output =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    boolean exited = process.waitFor(10, TimeUnit.SECONDS);
    if (!exited) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
    String out = output.get(5, TimeUnit.SECONDS);
    assertThat(exited).as("dbus-send finished within 10 s: %s", out).isTrue();
    assertThat(process.exitValue()).as("dbus-send: %s", out).isZero();
    return out;
  }
}
