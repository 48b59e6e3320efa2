package org.studioworker.ui.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The wait for a display, against real sockets standing in for an X server. */
@Timeout(30)
final class DisplayWaitTest {
  @TempDir Path sockets;

  private final List<Duration> slept = new ArrayList<>();
  private @Nullable ServerSocketChannel display;

  @AfterEach
  void closeDisplay() throws IOException {
    if (display != null) {
      display.close();
    }
  }

  private void listenAs(String name) throws IOException {
    ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    channel.bind(UnixDomainSocketAddress.of(sockets.resolve(name)));
    display = channel;
  }

  private static List<Duration> seconds(long... values) {
    List<Duration> durations = new ArrayList<>();
    for (long value : values) {
      durations.add(Duration.ofSeconds(value));
    }
    return durations;
  }

  @Test
  void waitsTwoSecondsDoublingToSixtyAndNeverGivesUp() {
    DisplayWait.Sleeper recorder =
        d -> {
          slept.add(d);
          if (slept.size() == 9) {
            throw new InterruptedException("the test has seen enough");
          }
        };

    assertThatThrownBy(() -> DisplayWait.await(Map.of("DISPLAY", ":57"), sockets, recorder))
        .isInstanceOf(InterruptedException.class);

    assertThat(slept).isEqualTo(seconds(2, 4, 8, 16, 32, 60, 60, 60, 60));
  }

  @Test
  void withoutDisplayItWaitsToo() {
    DisplayWait.Sleeper recorder =
        d -> {
          slept.add(d);
          if (slept.size() == 3) {
            throw new InterruptedException("the test has seen enough");
          }
        };

    assertThatThrownBy(() -> DisplayWait.await(Map.of(), sockets, recorder))
        .isInstanceOf(InterruptedException.class);

    assertThat(slept).isEqualTo(seconds(2, 4, 8));
  }

  @Test
  void returnsOnceAListeningSocketStandsInForTheDisplay() throws Exception {
    DisplayWait.Sleeper recorder =
        d -> {
          slept.add(d);
          if (slept.size() == 3) {
            try {
              listenAs("X57");
            } catch (IOException e) {
              throw new IllegalStateException(e);
            }
          }
        };

    DisplayWait.await(Map.of("DISPLAY", "unix:57.0"), sockets, recorder);

    assertThat(slept).isEqualTo(seconds(2, 4, 8));
  }

  @Test
  void aDisplayThatAnswersAtOnceCostsNoWait() throws Exception {
    listenAs("X3");

    DisplayWait.await(Map.of("DISPLAY", ":3"), sockets, slept::add);

    assertThat(slept).isEmpty();
  }

  @Test
  void saysWhyThereIsNoDisplay() throws Exception {
    assertThat(DisplayWait.problem(Map.of(), sockets)).contains("DISPLAY is not set");
    assertThat(DisplayWait.problem(Map.of("WAYLAND_DISPLAY", "wayland-0"), sockets))
        .hasValueSatisfying(why -> assertThat(why).contains("XWayland"));
    assertThat(DisplayWait.problem(Map.of("DISPLAY", "nonsense"), sockets))
        .hasValueSatisfying(why -> assertThat(why).contains("is not of the form [host]:N"));
    assertThat(DisplayWait.problem(Map.of("DISPLAY", ":x"), sockets))
        .hasValueSatisfying(why -> assertThat(why).contains("is not of the form [host]:N"));
    assertThat(DisplayWait.problem(Map.of("DISPLAY", ":9"), sockets))
        .hasValueSatisfying(
            why -> assertThat(why).contains(sockets.resolve("X9").toString(), "does not answer"));
  }

  @Test
  void aRealXServerIsFoundWhereXlibLooksForIt() throws Exception {
    Path xvfb = Path.of("/usr/bin/Xvfb");
    Assumptions.assumeTrue(Files.isExecutable(xvfb), "Xvfb is not installed at /usr/bin/Xvfb");
    Path out = sockets.resolve("xvfb.out");
    // -displayfd: Xvfb picks a free display and writes its number once it listens.
    Process server =
        new ProcessBuilder(xvfb.toString(), "-displayfd", "1", "-nolisten", "tcp")
            .redirectOutput(out.toFile())
            .redirectError(sockets.resolve("xvfb.err").toFile())
            .start();
    try {
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> !server.isAlive() || Files.readString(out).strip().matches("\\d+"));
      assertThat(server.isAlive()).as(Files.readString(sockets.resolve("xvfb.err"))).isTrue();
      Map<String, String> env = Map.of("DISPLAY", ":" + Files.readString(out).strip());

      DisplayWait.await(env, DisplayWait.X11_SOCKETS, slept::add);

      assertThat(slept).isEmpty();
      server.destroy();
      assertThat(server.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(DisplayWait.problem(env, DisplayWait.X11_SOCKETS)).isPresent();
    } finally {
      server.destroyForcibly();
    }
  }

  @Test
  void aTcpDisplayIsPortSixThousandPlusItsNumber() throws Exception {
    String display;
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int number = server.getLocalPort() - DisplayWait.X11_TCP_BASE;
      // Ephemeral ports lie far above 6000, so every one of them names a display.
      assertThat(number).isPositive();
      display = "127.0.0.1:" + number + ".0";
      assertThat(DisplayWait.problem(Map.of("DISPLAY", display), sockets)).isEmpty();
    }
    assertThat(DisplayWait.problem(Map.of("DISPLAY", display), sockets))
        .hasValueSatisfying(why -> assertThat(why).contains("does not answer"));
  }
}
