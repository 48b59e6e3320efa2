package org.studioworker.runtime.update;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.runtime.config.WorkerConfig;
import org.studioworker.runtime.lifecycle.StopSignal;
import org.studioworker.runtime.logs.LogRing;
import org.studioworker.runtime.status.StatusBoard;

/** The self-update as the CLI and the daemon reach it. */
final class AutoUpdateTest {
  /** A guard, not a measure: without the deadlines a stalled server would hang the test. */
  private static final long HANG_GUARD_SECS = 60;

  @TempDir Path root;

  private final StopSignal stop = new StopSignal();
  private final ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
  private final StatusBoard board = new StatusBoard(new LogRing(LogRing.DEFAULT_CAPACITY));
  private ReleaseServer server;
  private WorkerConfig config;

  @BeforeEach
  void start() throws Exception {
    server = new ReleaseServer();
    server.put("/feed", "[]");
    config =
        new WorkerConfig.Builder(WorkerConfig.defaults())
            .autoUpdateEnabled(true)
            .autoUpdateFeed(server.url("/feed").toString())
            .autoUpdateIntervalSecs(1)
            .build();
    Files.createDirectories(root.resolve("versions/0.5.0"));
    new Installation(root).switchCurrent("0.5.0");
  }

  @AfterEach
  void stop() {
    stop.stopNow("test over");
    pool.shutdownNow();
    server.close();
  }

  @Test
  @Timeout(HANG_GUARD_SECS)
  void checkUpdateEndsAtTheDeadlineWhenTheFeedStalls() {
    server.stall("/feed", 4000, "[".getBytes(StandardCharsets.UTF_8));
    Deadlines impatient =
        new Deadlines(Duration.ofMillis(300), Duration.ofSeconds(10), Duration.ofSeconds(60));
    assertThatThrownBy(() -> AutoUpdate.check(config, Map.of(), impatient))
        .isInstanceOf(IOException.class)
        .hasMessage("the update feed did not arrive within 0.3 s");
  }

  @Test
  void checkUpdateReadsAFeedFromAServerThatRefusesUpgradeRequests() throws Exception {
    server.refuseUpgrades();
    assertThat(AutoUpdate.check(config, Map.of())).startsWith("up to date: ");
  }
}
