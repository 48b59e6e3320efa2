package org.studioworker.ui.tray;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.exceptions.DBusException;

/** A session bus of the test's own: a {@code dbus-daemon} on a socket in a temporary folder. */
final class PrivateBus implements AutoCloseable {
  private final Process daemon;
  private final String address;

  private PrivateBus(Process daemon, String address) {
    this.daemon = daemon;
    this.address = address;
  }

  /**
   * Starts a daemon listening in {@code dir}; skips the test where dbus-daemon is not installed.
   */
  static PrivateBus start(Path dir) throws IOException, InterruptedException {
    Path binary = Path.of("/usr/bin/dbus-daemon");
    assumeTrue(
        Files.isExecutable(binary),
        "dbus-daemon is not installed (apt-get install dbus-daemon); the tray's bus tests need it");
    Process daemon =
        new ProcessBuilder(
                binary.toString(),
                "--session",
                "--nofork",
                "--print-address=1",
                "--address=unix:path=" + dir.resolve("bus"))
            .redirectError(dir.resolve("dbus-daemon.log").toFile())
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(daemon.getInputStream(), StandardCharsets.UTF_8));
    try {
      String address =
          CompletableFuture.supplyAsync(() -> firstLine(out)).get(10, TimeUnit.SECONDS);
      if (address == null || address.isBlank()) {
        throw new IOException(
            "dbus-daemon printed no address: " + Files.readString(dir.resolve("dbus-daemon.log")));
      }
      return new PrivateBus(daemon, address.strip());
    } catch (ExecutionException | TimeoutException e) {
      daemon.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      throw new IOException("dbus-daemon did not print its address within 10 s", e);
    }
  }

  private static String firstLine(BufferedReader out) {
    try {
      return out.readLine();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The address to connect to, {@code unix:path=…,guid=…}. */
  String address() {
    return address;
  }

  /** A fresh, unshared connection to this bus. */
  DBusConnection connect() throws DBusException {
    return DBusConnectionBuilder.forAddress(address).withShared(false).build();
  }

  @Override
  public void close() throws InterruptedException {
    daemon.destroy();
    if (!daemon.waitFor(5, TimeUnit.SECONDS)) {
      daemon.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }
}
