package org.studioworker.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.studioworker.runtime.localapi.DaemonClient.LogLine;
import tools.jackson.databind.json.JsonMapper;

/** The UI's copy of the daemon: bounded, replaced on a restart, cleared when unreachable. */
final class UiModelTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static List<LogLine> lines(int from, int count) {
    List<LogLine> lines = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      lines.add(new LogLine("t", "INFO", "test", "line " + i, null));
    }
    return lines;
  }

  @Test
  void keepsTheNewestThousandLogEntries() {
    UiModel model = new UiModel();
    var status = JSON.readTree("{\"paused\":false}");
    model.apply(new Poll.Answered(status, lines(0, 700), true));
    model.apply(new Poll.Answered(status, lines(700, 700), false));

    assertThat(model.logs()).hasSize(UiModel.MAX_LOG_LINES);
    assertThat(model.logs().getFirst().message()).isEqualTo("line 400");
    assertThat(model.logs().getLast().message()).isEqualTo("line 1399");
  }

  @Test
  void aRestartedDaemonsRingReplacesTheCopy() {
    UiModel model = new UiModel();
    var status = JSON.readTree("{}");
    model.apply(new Poll.Answered(status, lines(0, 5), true));
    model.apply(new Poll.Answered(status, lines(100, 2), true));

    assertThat(model.logs()).extracting(LogLine::message).containsExactly("line 100", "line 101");
  }

  @Test
  void anUnreachableDaemonClearsEverythingAndKeepsTheReason() {
    UiModel model = new UiModel();
    model.apply(new Poll.Answered(JSON.readTree("{}"), lines(0, 5), true));
    model.apply(new Poll.Unreachable("no daemon is running for this config"));

    assertThat(model.status()).isNull();
    assertThat(model.logs()).isEmpty();
    assertThat(model.problem()).isEqualTo("no daemon is running for this config");
  }
}
