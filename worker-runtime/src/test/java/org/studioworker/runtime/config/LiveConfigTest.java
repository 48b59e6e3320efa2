package org.studioworker.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The running worker follows its config file: live keys at once, the others after a restart. */
final class LiveConfigTest {
  @TempDir Path dir;

  private ConfigStore store;
  private LiveConfig live;

  @BeforeEach
  void start() throws Exception {
    store = new ConfigStore(dir.resolve("config.toml"));
    WorkerConfig initial =
        WorkerConfig.defaults()
            .withApiBaseUrl("https://studio.example/")
            .withModelsRoot(dir.resolve("models").toString());
    store.save(initial);
    live = new LiveConfig(store, store.load());
  }

  @Test
  void anUnchangedFileChangesNothing() {
    assertThat(live.refresh()).isEmpty();
  }

  @Test
  void aLiveKeyEditedInTheFileIsTakenAndReported() throws Exception {
    store.save(
        new WorkerConfig.Builder(store.load()).vramThresholdGb(8).drainTimeoutSecs(30).build());

    assertThat(live.refresh())
        .containsExactly("vram_threshold_gb 12.0 -> 8.0", "drain_timeout_secs 600 -> 30");
    assertThat(live.get().vramThresholdGb()).isEqualTo(8.0);
    assertThat(live.get().drainTimeoutSecs()).isEqualTo(30);
    assertThat(live.refresh()).as("reported once").isEmpty();
  }

  @Test
  void aKeyThatNeedsARestartKeepsItsRunningValue() throws Exception {
    store.save(store.load().withModelsRoot("/elsewhere"));

    assertThat(live.refresh()).isEmpty();
    assertThat(live.get().modelsRoot()).isEqualTo(dir.resolve("models").toString());
  }

  @Test
  void aBrokenFileKeepsTheRunningConfig() throws Exception {
    Files.writeString(store.path(), "vram_threshold_gb = [broken\n");

    assertThat(live.refresh()).isEmpty();
    assertThat(live.get().vramThresholdGb()).isEqualTo(12.0);
  }

  @Test
  void theWorkersOwnChangeKeepsAnOperatorEditMadeMeanwhile() throws Exception {
    // The operator lowers the threshold and moves the models while the worker waits for approval.
    store.save(
        new WorkerConfig.Builder(store.load())
            .vramThresholdGb(6)
            .modelsRoot("/srv/models")
            .build());

    WorkerConfig running = live.update(c -> c.withCredentials("w-1", "ab".repeat(32)));

    WorkerConfig saved = store.load();
    assertThat(saved.workerId()).isEqualTo("w-1");
    assertThat(saved.vramThresholdGb()).isEqualTo(6.0);
    assertThat(saved.modelsRoot()).isEqualTo("/srv/models");
    assertThat(running.vramThresholdGb()).isEqualTo(6.0);
    assertThat(running.workerId()).isEqualTo("w-1");
    assertThat(live.refresh()).as("its own save is not an operator's edit").isEmpty();
  }
}
