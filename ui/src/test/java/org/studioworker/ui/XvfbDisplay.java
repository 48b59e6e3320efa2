package org.studioworker.ui;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The X display {@code :57} the surefire JVM is forked with ({@code ui/pom.xml}): started as {@code
 * Xvfb :57} unless it already answers, and stopped once the test JVM has ended. Tests skip when
 * Xvfb is not installed.
 */
final class XvfbDisplay implements BeforeAllCallback {
  static final String DISPLAY = ":57";
  private static final Path SOCKET = Path.of("/tmp/.X11-unix/X57");

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    Assumptions.assumeTrue(
        DISPLAY.equals(System.getenv("DISPLAY")),
        "the test JVM must be forked with DISPLAY=" + DISPLAY + " (see ui/pom.xml)");
    context
        .getRoot()
        .getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent(XvfbDisplay.class, k -> start(), Running.class);
    Assumptions.assumeTrue(answers(), "the display " + DISPLAY + " does not accept connections");
  }

  private static Running start() {
    if (answers()) {
      return new Running(null);
    }
    Path xvfb = findXvfb();
    Assumptions.assumeTrue(
        xvfb != null, "Xvfb is not installed (apt-get install xvfb): the desktop UI tests skip");
    // AWT treats a display that goes away as fatal and exits the JVM with 1, so the display must
    // outlive the test JVM: a shell starts Xvfb, waits for this JVM to end, then stops it.
    String script =
        "\"$0\" "
            + DISPLAY
            + " -screen 0 1400x900x24 -nolisten tcp & x=$!; "
            + "tail --pid="
            + ProcessHandle.current().pid()
            + " -f /dev/null; kill $x; wait $x";
    try {
      Process process =
          new ProcessBuilder("sh", "-c", script, Objects.requireNonNull(xvfb).toString())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      await().atMost(Duration.ofSeconds(15)).until(() -> !process.isAlive() || answers());
      return new Running(process);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start Xvfb: " + e.getMessage(), e);
    }
  }

  private static @Nullable Path findXvfb() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      Path candidate = Path.of(dir, "Xvfb");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return Files.isExecutable(Path.of("/usr/bin/Xvfb")) ? Path.of("/usr/bin/Xvfb") : null;
  }

  /** Whether the display's socket accepts a connection. */
  private static boolean answers() {
    if (!Files.exists(SOCKET)) {
      return false;
    }
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      return channel.connect(UnixDomainSocketAddress.of(SOCKET));
    } catch (IOException e) {
      return false;
    }
  }

  /** The Xvfb this run started, or none; it stops once this JVM has ended. */
  private record Running(@Nullable Process process) {}
}
