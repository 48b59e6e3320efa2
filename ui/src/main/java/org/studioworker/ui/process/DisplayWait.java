package org.studioworker.ui.process;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for a display to connect to, without touching AWT (which caches a failure for good).
 *
 * <p>Blocks the calling thread; an interrupt ends the wait.
 */
public final class DisplayWait {
  private static final Logger log = LoggerFactory.getLogger("ui");

  /** Where an X server on this machine listens: {@code X<N>} for display {@code :N}. */
  static final Path X11_SOCKETS = Path.of("/tmp/.X11-unix");

  static final Duration FIRST_WAIT = Duration.ofSeconds(2);
  static final Duration LONGEST_WAIT = Duration.ofSeconds(60);

  /** Why 1 s? A display across a network that takes longer than that is not one to draw on. */
  static final int TCP_TIMEOUT_MILLIS = 1000;

  /** Why 6000? X11 over TCP listens on port 6000 + the display number. */
  static final int X11_TCP_BASE = 6000;

  private DisplayWait() {}

  /** How the wait waits: {@link Thread#sleep} in the product, a recorder in tests. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  /**
   * Returns once the display named by {@code DISPLAY} accepts a connection; tries every 2 s,
   * doubling to 60 s, and never gives up.
   *
   * <p>Only {@code DISPLAY} counts: Java's toolkit on Linux speaks X11, which a Wayland session
   * offers through XWayland under {@code DISPLAY}.
   */
  public static void await(Map<String, String> env) throws InterruptedException {
    await(env, X11_SOCKETS, Thread::sleep);
  }

  /** The same, with the directory of X11 sockets and the sleeper given. */
  static void await(Map<String, String> env, Path socketDir, Sleeper sleeper)
      throws InterruptedException {
    Duration wait = FIRST_WAIT;
    boolean waited = false;
    while (true) {
      Optional<String> problem = problem(env, socketDir);
      if (problem.isEmpty()) {
        if (waited) {
          log.info("display {} answers", env.get("DISPLAY"));
        }
        return;
      }
      log.info("no display yet ({}); trying again in {} s", problem.get(), wait.toSeconds());
      sleeper.sleep(wait);
      waited = true;
      wait = wait.multipliedBy(2);
      if (wait.compareTo(LONGEST_WAIT) > 0) {
        wait = LONGEST_WAIT;
      }
    }
  }

  /** Why the display named by {@code env} cannot be reached now; empty when it answers. */
  static Optional<String> problem(Map<String, String> env, Path socketDir) {
    String display = env.get("DISPLAY");
    if (display == null || display.isBlank()) {
      return Optional.of(
          env.containsKey("WAYLAND_DISPLAY")
              ? "DISPLAY is not set; WAYLAND_DISPLAY is, but Java's toolkit needs X11 (XWayland)"
              : "DISPLAY is not set");
    }
    int colon = display.lastIndexOf(':');
    String host = colon < 0 ? "" : display.substring(0, colon);
    String rest = colon < 0 ? "" : display.substring(colon + 1);
    int dot = rest.indexOf('.');
    String number = dot < 0 ? rest : rest.substring(0, dot);
    if (colon < 0
        || number.isEmpty()
        || !number.chars().allMatch(c -> c >= '0' && c <= '9')
        || number.length() > 5) {
      return Optional.of("DISPLAY=" + display + " is not of the form [host]:N[.screen]");
    }
    int n = Integer.parseInt(number);
    if (host.startsWith("unix/")) {
      host = "unix";
    } else if (host.startsWith("tcp/")) {
      host = host.substring("tcp/".length());
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1); // an IPv6 literal
    }
    if (host.isEmpty() || host.equals("unix")) {
      return connectUnix(socketDir.resolve("X" + n), display);
    }
    if (X11_TCP_BASE + n > 65535) {
      return Optional.of("DISPLAY=" + display + " names a display beyond the last TCP port");
    }
    return connectTcp(host, X11_TCP_BASE + n, display);
  }

  private static Optional<String> connectUnix(Path socket, String display) {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(socket));
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of("DISPLAY=" + display + ": " + socket + " does not answer: " + e);
    }
  }

  private static Optional<String> connectTcp(String host, int port, String display) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), TCP_TIMEOUT_MILLIS);
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of(
          "DISPLAY=" + display + ": " + host + ":" + port + " does not answer: " + e);
    }
  }
}
