package org.studioworker.ui;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.studioworker.ui.tray.Tray;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The words and the tray light for the daemon's states (LOCAL_API.md). */
final class StatusTextTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static JsonNode status(String session, String registration, String active) {
    return JSON.readTree(
        "{\"paused\":false,\"session\":"
            + session
            + ",\"registration\":"
            + registration
            + ",\"activeJobs\":"
            + active
            + ",\"vramTotalGb\":24.0}");
  }

  private static final String APPROVED = "{\"state\":\"approved\"}";

  @Test
  void idleWaitingAndReconnectingAreGreen() {
    for (String session :
        new String[] {
          "{\"state\":\"connected\"}",
          "{\"state\":\"waiting_for_approval\"}",
          "{\"state\":\"connecting\"}",
          "{\"state\":\"reconnecting\",\"attempt\":3}"
        }) {
      assertThat(StatusText.tray(status(session, APPROVED, "[]"), null).light())
          .as(session)
          .isEqualTo(Tray.Light.GREEN);
    }
    assertThat(
            StatusText.studio(status("{\"state\":\"reconnecting\",\"attempt\":3}", APPROVED, "[]")))
        .isEqualTo("reconnecting (attempt 3)…");
  }

  @Test
  void aRunningJobIsAmberAndNamedInTheActivity() {
    JsonNode running =
        status(
            "{\"state\":\"connected\"}",
            APPROVED,
            "[{\"jobId\":\"job-0123456789\",\"kind\":\"image\"}]");
    assertThat(StatusText.tray(running, null).light()).isEqualTo(Tray.Light.AMBER);
    assertThat(StatusText.activity(running)).isEqualTo("Running image job-0123");
  }

  @Test
  void troubleIsRed() {
    assertThat(StatusText.tray(null, "no daemon").light()).isEqualTo(Tray.Light.RED);
    assertThat(
            StatusText.tray(
                    status("{\"state\":\"auth_failed\",\"reason\":\"revoked\"}", APPROVED, "[]"),
                    null)
                .light())
        .isEqualTo(Tray.Light.RED);
    assertThat(
            StatusText.tray(status("{\"state\":\"fatal\",\"reason\":\"x\"}", APPROVED, "[]"), null)
                .light())
        .isEqualTo(Tray.Light.RED);
    JsonNode rejected =
        status(
            "{\"state\":\"waiting_for_approval\"}",
            "{\"state\":\"rejected\",\"reason\":\"not this one\"}",
            "[]");
    assertThat(StatusText.tray(rejected, null).light()).isEqualTo(Tray.Light.RED);
  }

  @Test
  void liveGpuMemoryIsShownWhenTheDaemonListsGpus() {
    JsonNode withGpus =
        JSON.readTree(
            "{\"gpus\":[{\"index\":0,\"name\":\"RTX\",\"memoryTotalBytes\":25769803776,"
                + "\"memoryFreeBytes\":21474836480}],\"vramTotalGb\":24.0}");
    assertThat(StatusText.gpuMemory(withGpus)).isEqualTo("4.0 / 24.0 GB used");
    assertThat(StatusText.gpuMemory(status("{\"state\":\"connected\"}", APPROVED, "[]")))
        .isEqualTo("24.0 GB VRAM");
  }
}
