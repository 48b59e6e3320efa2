package org.studioworker.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.studioworker.ui.DaemonUnderTest.onEdt;

import java.nio.file.Path;
import java.time.Duration;
import javax.swing.SwingUtilities;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.devstudio.DevStudio;
import org.studioworker.devstudio.PendingRequest;

/**
 * The Worker page over an unregistered daemon: the pending request with its id, the studio's
 * rejection with its reason, and "Reset registration" asking the studio again.
 */
@ExtendWith(XvfbDisplay.class)
final class RegistrationPageTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void pendingThenRejectedThenResetAsksTheStudioAgain() throws Exception {
    try (DevStudio studio = DevStudio.start();
        DaemonUnderTest daemon = DaemonUnderTest.start(dir, studio, null)) {
      PendingRequest first = studio.awaitPendingRequest(WAIT);
      DesktopApp app = daemon.openApp();
      try {
        app.start();
        WorkerPage page = app.window.worker;
        await()
            .atMost(WAIT)
            .until(() -> onEdt(() -> page.registration.getText()).contains(first.requestId()));
        assertThat(onEdt(() -> page.registration.getText())).startsWith("pending: request ");
        assertThat(onEdt(() -> page.copyRequest.isVisible())).isTrue();
        assertThat(onEdt(() -> app.window.studio.getText()))
            .isEqualTo("studio: waiting for studio operator approval");

        studio.reject(first.requestId(), "not this one");
        await()
            .atMost(WAIT)
            .untilAsserted(
                () ->
                    assertThat(onEdt(() -> page.registration.getText()))
                        .isEqualTo("rejected: not this one"));
        assertThat(onEdt(() -> page.resetRegistration.isVisible())).isTrue();

        SwingUtilities.invokeAndWait(page.resetRegistration::doClick);
        await()
            .atMost(WAIT)
            .until(
                () ->
                    studio.pendingRequests().stream()
                        .anyMatch(r -> !r.requestId().equals(first.requestId())));
        await()
            .atMost(WAIT)
            .until(() -> onEdt(() -> page.registration.getText()).startsWith("pending: request "));
        assertThat(onEdt(() -> page.registration.getText())).doesNotContain(first.requestId());
      } finally {
        app.close();
      }
    }
  }
}
