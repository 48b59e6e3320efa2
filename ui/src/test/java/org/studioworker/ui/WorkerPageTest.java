package org.studioworker.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** "Check for updates": the launcher run as a real process, its output shown. */
final class WorkerPageTest {
  @TempDir Path dir;

  @Test
  void checkUpdateRunsTheLauncherAsAProcessAndShowsItsOutput() throws Exception {
    String output = WorkerPage.runCheckUpdate("/bin/echo", dir.resolve("config.toml"));

    assertThat(output).contains("--config " + dir.resolve("config.toml") + " check-update");
    assertThat(output).endsWith("(exit 0)");
    assertThat(WorkerPage.runCheckUpdate(dir.resolve("missing").toString(), dir))
        .startsWith("cannot run ");
  }
}
