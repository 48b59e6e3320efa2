package org.studioworker.runtime.localapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.devstudio.DevStudio;
import org.studioworker.devstudio.WorkerCredentials;
import org.studioworker.executors.synthetic.SyntheticExecutorProvider;
import org.studioworker.runtime.config.ConfigStore;
import org.studioworker.runtime.config.WorkerConfig;
import org.studioworker.runtime.daemon.WorkerDaemon;
import org.studioworker.runtime.daemon.WorkerHarness;

/** Where the local API binds: environment, then config, then 4787, then any free port. */
final class LocalApiPortTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;

  private final DevStudio studio = DevStudio.start();
  private final WorkerCredentials worker = studio.createWorker();

  @AfterEach
  void stopStudio() {
    studio.close();
  }

  private WorkerHarness start(Path config, Map<String, String> env) {
    return WorkerHarness.start(
        WorkerDaemon.Options.of(config, env)
            .withSchedule(WorkerHarness.FAST)
            .withSignals(false)
            .withEngines(List.of(new SyntheticExecutorProvider())));
  }

  private Path configWithPort(Integer port) throws Exception {
    Path config = WorkerHarness.writeConfig(dir, studio, worker);
    ConfigStore store = new ConfigStore(config);
    store.save(new WorkerConfig.Builder(store.load()).localApiPort(port).build());
    return config;
  }

  @Test
  void aTakenPortFallsBackToAFreeOneAndTheSessionRuns() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Path config = configWithPort(taken.getLocalPort());
      try (WorkerHarness harness = start(config, Map.of("HOME", dir.toString()))) {
        studio.awaitConnected(worker.workerId(), WAIT);
        await().atMost(WAIT).until(() -> harness.daemon().localApiUrl().isPresent());

        assertThat(harness.daemon().localApiUrl().orElseThrow().getPort())
            .isNotEqualTo(taken.getLocalPort());
        assertThat(harness.logLines())
            .contains(
                "local API: 127.0.0.1:"
                    + taken.getLocalPort()
                    + " is not free (in use); using a free port instead");
      }
    }
  }

  @Test
  void theEnvironmentWinsOverTheConfigAndABadValueIsIgnoredWithAWarning() throws Exception {
    WorkerConfig config = WorkerConfig.defaults();
    assertThat(WorkerDaemon.localApiPort(config, Map.of())).isEqualTo(LocalApiServer.DEFAULT_PORT);
    WorkerConfig withPort = new WorkerConfig.Builder(config).localApiPort(5001).build();
    assertThat(WorkerDaemon.localApiPort(withPort, Map.of())).isEqualTo(5001);
    assertThat(WorkerDaemon.localApiPort(withPort, Map.of("STUDIO_WORKER_LOCAL_API_PORT", "5002")))
        .isEqualTo(5002);
    assertThat(WorkerDaemon.localApiPort(withPort, Map.of("STUDIO_WORKER_LOCAL_API_PORT", "x")))
        .isEqualTo(5001);
    assertThat(WorkerDaemon.localApiPort(withPort, Map.of("STUDIO_WORKER_LOCAL_API_PORT", "70000")))
        .isEqualTo(5001);
  }

  @Test
  void portZeroTakesAFreePort() throws Exception {
    Path config = configWithPort(null);
    try (WorkerHarness harness =
        start(config, Map.of("HOME", dir.toString(), "STUDIO_WORKER_LOCAL_API_PORT", "0"))) {
      await().atMost(WAIT).until(() -> harness.daemon().localApiUrl().isPresent());
      assertThat(harness.daemon().localApiUrl().orElseThrow().getPort()).isPositive();
      assertThat(harness.logLines()).noneMatch(line -> line.contains("is not free"));
    }
  }
}
