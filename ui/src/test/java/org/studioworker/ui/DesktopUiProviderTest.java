package org.studioworker.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.awt.Frame;
import java.awt.event.WindowEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.swing.JFrame;
import javax.swing.SwingUtilities;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code studio-worker ui} as the runtime runs it: the window opens; without a tray, closing it
 * ends the UI with 0.
 */
@ExtendWith(XvfbDisplay.class)
final class DesktopUiProviderTest {
  @TempDir Path dir;

  @Test
  void theWindowOpensOverNoDaemonAndClosingItWithoutATrayEndsTheUi() throws Exception {
    Path config = dir.resolve("config.toml");
    Map<String, String> env = Map.of("HOME", dir.toString(), "DISPLAY", XvfbDisplay.DISPLAY);
    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return new DesktopUiProvider().run(config, env);
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            },
            r -> Thread.ofVirtual().start(r));

    await().atMost(Duration.ofSeconds(20)).until(() -> window().isPresent());
    JFrame frame = window().orElseThrow();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> text(frame).contains("no daemon is running for this config"));

    SwingUtilities.invokeAndWait(
        () -> frame.dispatchEvent(new WindowEvent(frame, WindowEvent.WINDOW_CLOSING)));

    assertThat(exit.get(20, TimeUnit.SECONDS)).isZero();
    assertThat(frame.isDisplayable()).isFalse();
  }

  /** The UI's window of this test: shown and titled studio-worker. */
  private static Optional<JFrame> window() {
    return Arrays.stream(Frame.getFrames())
        .filter(f -> f instanceof JFrame && f.isShowing() && f.getTitle().equals("studio-worker"))
        .map(JFrame.class::cast)
        .findFirst();
  }

  /** Every text area's text in the frame. */
  private static String text(JFrame frame) throws Exception {
    StringBuilder all = new StringBuilder();
    SwingUtilities.invokeAndWait(() -> collect(frame.getContentPane(), all));
    return all.toString();
  }

  private static void collect(java.awt.Container container, StringBuilder all) {
    for (java.awt.Component c : container.getComponents()) {
      if (c instanceof javax.swing.text.JTextComponent text) {
        all.append(text.getText()).append('\n');
      }
      if (c instanceof java.awt.Container inner) {
        collect(inner, all);
      }
    }
  }
}
