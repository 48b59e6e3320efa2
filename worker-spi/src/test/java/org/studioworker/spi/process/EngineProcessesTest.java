package org.studioworker.spi.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

final class EngineProcessesTest {
  @Test
  void theNotifySocketAndWatchdogStayWithTheWorkerAndTheRuntimesVariablesAreSet() {
    ProcessBuilder builder = new ProcessBuilder("true");
    builder.environment().put("NOTIFY_SOCKET", "/run/systemd/notify");
    builder.environment().put("WATCHDOG_USEC", "30000000");
    builder.environment().put("WATCHDOG_PID", "42");
    builder.environment().put("CUDA_VISIBLE_DEVICES", "0,1");
    builder.environment().put("KEPT", "yes");

    EngineProcesses.environment(builder, Map.of("CUDA_VISIBLE_DEVICES", "GPU-bbb"));

    assertThat(builder.environment())
        .doesNotContainKeys("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID")
        .containsEntry("CUDA_VISIBLE_DEVICES", "GPU-bbb")
        .containsEntry("KEPT", "yes");
  }
}
