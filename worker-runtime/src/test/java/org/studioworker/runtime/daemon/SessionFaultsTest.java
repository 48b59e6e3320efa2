package org.studioworker.runtime.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.devstudio.DevStudio;
import org.studioworker.devstudio.WorkerCredentials;
import org.studioworker.runtime.config.ConfigStore;
import org.studioworker.runtime.config.WorkerConfig;
import org.studioworker.runtime.http.StandInServer;
import org.studioworker.runtime.status.SessionState;
import org.studioworker.spi.Claim;
import org.studioworker.spi.EngineId;
import org.studioworker.spi.Executor;
import org.studioworker.spi.ExecutorEnvironment;
import org.studioworker.spi.ExecutorProvider;
import org.studioworker.spi.JobContext;
import org.studioworker.spi.JobResult;
import org.studioworker.spi.TaskKind;
import org.studioworker.spi.UnsupportedJobException;

/** Faults around the session that must neither throw a registration away nor end quietly. */
final class SessionFaultsTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;

  @Test
  void http403AtTheUpgradeIsNotAnAuthFailureTheWorkerKeepsReconnecting() throws Exception {
    AtomicInteger upgrades = new AtomicInteger();
    try (StandInServer waf =
        StandInServer.start(
            (exchange, self) -> {
              upgrades.incrementAndGet();
              StandInServer.reply(exchange, 403, "{\"error\":\"blocked by policy\"}");
            })) {
      Path config = dir.resolve("config.toml");
      new ConfigStore(config)
          .save(
              WorkerConfig.defaults()
                  .withApiBaseUrl(waf.url() + "/")
                  .withModelsRoot(dir.resolve("models").toString())
                  .withCredentials("w-1", "ab".repeat(32)));
      try (WorkerHarness worker = WorkerHarness.start(config)) {
        await().atMost(WAIT).until(() -> upgrades.get() >= 3);

        assertThat(worker.hasExited()).isFalse();
        assertThat(worker.daemon().board().session())
            .isInstanceOfAny(SessionState.Reconnecting.class, SessionState.Connecting.class);
        assertThat(worker.logLines())
            .anyMatch(line -> line.contains("refused the upgrade with HTTP 403"))
            .noneMatch(line -> line.contains("register --reset"));
        assertThat(worker.savedConfig().authToken()).isEqualTo("ab".repeat(32));
      }
    }
  }

  @Test
  void pumpThatCrashesIsLoggedAtErrorAndTheDaemonExitsNonZero() throws Exception {
    CrashingEngine engine = new CrashingEngine();
    try (DevStudio studio = DevStudio.start()) {
      WorkerCredentials credentials = studio.createWorker();
      Path config = WorkerHarness.writeConfig(dir, studio, credentials);
      try (WorkerHarness worker =
          WorkerHarness.start(config, List.of(engine), WorkerHarness.FAST)) {
        studio.awaitConnected(credentials.workerId(), WAIT);

        engine.crashing.set(true); // the next heartbeat's capabilities read fails

        assertThat(worker.awaitExit(WAIT)).isEqualTo(ExitCodes.FAILURE);
        assertThat(worker.daemon().board().logs().snapshot())
            .anyMatch(
                e ->
                    e.level() == org.studioworker.protocol.LogLevel.ERROR
                        && e.message().startsWith("heartbeat failed unexpectedly"));
      }
    }
  }

  /**
   * An engine whose roster read fails once told to, with an error rather than an exception: a
   * plugin jar that lost a class it links against.
   */
  private static final class CrashingEngine implements ExecutorProvider, Executor {
    final AtomicBoolean crashing = new AtomicBoolean();

    @Override
    public EngineId engine() {
      return new EngineId("crashing");
    }

    @Override
    public String version() {
      return "test";
    }

    @Override
    public Executor create(ExecutorEnvironment environment) {
      return this;
    }

    @Override
    public Map<TaskKind, List<String>> serves() {
      if (crashing.get()) {
        throw new NoClassDefFoundError("com/example/plugin/Missing");
      }
      return Map.of(TaskKind.LLM, List.of("crash-model"));
    }

    @Override
    public JobResult run(Claim claim, JobContext context) throws UnsupportedJobException {
      throw new UnsupportedJobException("never runs a job");
    }

    @Override
    public void close() {}
  }
}
