package org.studioworker.runtime.presence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The idle time read through FFM from a real X server (Xvfb), and what a missing one gives. */
final class X11IdleSourceTest {
  private static final Path XVFB = Path.of("/usr/bin/Xvfb");
  private static final String DISPLAY = ":58";

  @Test
  void readsAnIdleTimeThatGrowsFromARealXServer() throws Exception {
    Assumptions.assumeTrue(
        Files.isExecutable(XVFB), "Xvfb is not installed (/usr/bin/Xvfb); apt-get install xvfb");
    Process xvfb =
        new ProcessBuilder(XVFB.toString(), DISPLAY, "-nolisten", "tcp")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      // The server takes a moment to listen; until then the display does not open.
      X11IdleSource source =
          await()
              .atMost(Duration.ofSeconds(20))
              .pollInterval(Duration.ofMillis(100))
              .until(
                  () ->
                      X11IdleSource.open(DISPLAY) instanceof X11IdleSource.Ready ready
                          ? ready.source()
                          : null,
                  opened -> opened != null);
      try {
        Duration first = source.idleTime().orElseThrow();
        assertThat(first.isNegative()).isFalse();
        assertThat(first).isLessThan(Duration.ofHours(1));
        assertThat(source.describe()).contains(DISPLAY);

        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> source.idleTime().orElseThrow().compareTo(first.plusMillis(300)) > 0);
      } finally {
        source.close();
      }
    } finally {
      xvfb.destroy();
      if (!xvfb.waitFor(10, TimeUnit.SECONDS)) {
        xvfb.destroyForcibly();
      }
    }
  }

  @Test
  void aMissingLibraryIsUnavailableNotAnError() {
    X11IdleSource.Opened opened = X11IdleSource.open(":0", "libNoSuchX11.so.6", "libXss.so.1");

    assertThat(opened)
        .isEqualTo(new X11IdleSource.Unavailable("libNoSuchX11.so.6 is not installed"));
  }

  @Test
  void aDisplayWithNoServerIsUnavailableNotAnError() {
    Assumptions.assumeTrue(
        XScreenSaverLibrary.bind("libX11.so.6", "libXss.so.1") instanceof XScreenSaverLibrary.Found,
        "libX11.so.6 or libXss.so.1 is not installed");

    X11IdleSource.Opened opened = X11IdleSource.open(":59");

    assertThat(opened)
        .isEqualTo(new X11IdleSource.Unavailable("the X display :59 cannot be opened"));
  }

  @Test
  void noDisplayNameIsUnavailable() {
    assertThat(X11IdleSource.open(null))
        .isEqualTo(new X11IdleSource.Unavailable("DISPLAY is not set"));
  }

  @Test
  void theInfoStructHasTheLp64Layout() {
    assertThat(XScreenSaverLibrary.INFO.byteSize()).isEqualTo(40);
    assertThat(XScreenSaverLibrary.IDLE_OFFSET).isEqualTo(24);
  }

  @Test
  void aServerThatGoesAwayIsUnknownAndTheSourceReopensWhenItIsBack() throws Exception {
    Assumptions.assumeTrue(
        Files.isExecutable(XVFB), "Xvfb is not installed (/usr/bin/Xvfb); apt-get install xvfb");
    Process xvfb = startXvfb();
    X11IdleSource source = awaitSource();
    try {
      assertThat(source.idleTime()).isPresent();
      stop(xvfb);

      // Xlib's default answer to a lost server is exit(1); the worker (this test) lives on.
      assertThat(source.idleTime()).isEmpty();
      assertThat(source.idleTime()).isEmpty();

      xvfb = startXvfb();
      await().atMost(Duration.ofSeconds(20)).until(() -> source.idleTime().isPresent());
    } finally {
      source.close();
      stop(xvfb);
    }
  }

  private static Process startXvfb() throws Exception {
    return new ProcessBuilder(XVFB.toString(), DISPLAY, "-nolisten", "tcp")
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
  }

  private static X11IdleSource awaitSource() {
    // The server takes a moment to listen; until then the display does not open.
    return await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                X11IdleSource.open(DISPLAY) instanceof X11IdleSource.Ready ready
                    ? ready.source()
                    : null,
            opened -> opened != null);
  }

  private static void stop(Process xvfb) throws InterruptedException {
    xvfb.destroy();
    if (!xvfb.waitFor(10, TimeUnit.SECONDS)) {
      xvfb.destroyForcibly();
      xvfb.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
