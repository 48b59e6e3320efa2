package org.studioworker.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.studioworker.ui.DaemonUnderTest.onEdt;

import java.util.List;
import javax.swing.SwingUtilities;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.studioworker.runtime.localapi.DaemonClient.LogLine;
import tools.jackson.databind.json.JsonMapper;

/** The Logs page: the least level, the search, and nothing left once the daemon is gone. */
@ExtendWith(XvfbDisplay.class)
final class LogsPageTest {
  private static final List<LogLine> LINES =
      List.of(
          new LogLine("2026-12-02T10:00:00.000Z", "INFO", "session", "welcomed", null),
          new LogLine("2026-12-02T10:00:01.000Z", "WARN", "jobs", "slow upload", "job-1"),
          new LogLine("2026-12-02T10:00:02.000Z", "ERROR", "jobs", "engine error", "job-2"),
          new LogLine("2026-12-02T10:00:03.000Z", "DEBUG", "gpu", "probe", null));

  @Test
  void theLevelAndTheSearchFilterTheLinesAndAnUnreachableDaemonEmptiesThem() throws Exception {
    UiModel model = new UiModel();
    LogsPage page = onEdt(LogsPage::new);
    SwingUtilities.invokeAndWait(
        () -> {
          model.apply(new Poll.Answered(JsonMapper.builder().build().readTree("{}"), LINES, true));
          page.update(model);
        });
    assertThat(onEdt(() -> page.text.getText().lines().count())).isEqualTo(4);

    SwingUtilities.invokeAndWait(() -> page.level.setSelectedItem(LogsPage.Level.WARN));
    assertThat(onEdt(() -> page.text.getText()))
        .contains("slow upload", "engine error")
        .doesNotContain("welcomed", "probe");
    assertThat(onEdt(() -> page.text.getText())).contains("[job job-1]");

    SwingUtilities.invokeAndWait(() -> page.search.setText("ENGINE"));
    assertThat(onEdt(() -> page.text.getText().strip()))
        .endsWith("engine error")
        .doesNotContain("slow");

    SwingUtilities.invokeAndWait(
        () -> {
          model.apply(new Poll.Unreachable("gone"));
          page.clear();
        });
    assertThat(onEdt(() -> page.text.getText())).isEmpty();
  }
}
