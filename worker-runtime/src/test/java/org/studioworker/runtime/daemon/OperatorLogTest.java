package org.studioworker.runtime.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.studioworker.devstudio.DevStudio;
import org.studioworker.devstudio.WorkerCredentials;
import org.studioworker.runtime.config.ConfigStore;
import org.studioworker.runtime.config.WorkerConfig;

/**
 * The log as an operator reads it, from a real worker process with the production logging setup:
 * one line per condition, short reasons, and transport errors that name what failed.
 */
final class OperatorLogTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void missingEnginesAndGpusAreOneLineEachAndTheStudioBeingDownNamesTheAddress() throws Exception {
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort(); // nothing listens here once the probe is closed
    }
    Path config = dir.resolve("config.toml");
    new ConfigStore(config)
        .save(
            WorkerConfig.defaults()
                .withApiBaseUrl("http://127.0.0.1:" + closedPort + "/")
                .withModelsRoot(dir.resolve("models").toString())
                .withCredentials("w-1", "ab".repeat(32)));
    Path log = dir.resolve("worker.log");
    Process process =
        ChildWorker.start(
            List.of(
                ChildWorker.testClassPathEntry("sd-cpp"),
                ChildWorker.testClassPathEntry("llama-cpp")),
            // No engine programs anywhere, no GPU library.
            Map.of("PATH", "/nonexistent", "HOME", dir.toString()),
            log,
            "--config",
            config.toString(),
            "run");
    try {
      await()
          .atMost(WAIT)
          .until(
              () -> lines(log).stream().filter(l -> l.contains("reconnect attempt")).count() >= 3);
    } finally {
      process.destroy();
      process.waitFor(20, TimeUnit.SECONDS);
      process.destroyForcibly();
    }
    List<String> lines = lines(log);

    assertThat(lines.stream().filter(l -> l.contains("sd-cli was not found")))
        .singleElement()
        .asString()
        .contains(" WARN ")
        .contains("engine sd-cpp")
        .doesNotContain("looked at");
    assertThat(lines.stream().filter(l -> l.contains("llama-server was not found")))
        .singleElement()
        .asString()
        .contains(" WARN ")
        .doesNotContain("looked at");
    assertThat(lines.stream().filter(l -> l.toLowerCase(java.util.Locale.ROOT).contains("gpu")))
        .singleElement()
        .asString()
        .contains("no GPU found");
    assertThat(lines)
        .noneMatch(l -> l.contains("llama-cpp: llama-cpp:") || l.contains("sd-cpp: sd-cpp:"));
    assertThat(lines.stream().filter(l -> l.contains("capabilities: ")))
        .as("the summary is logged once while it does not change")
        .hasSize(1);
    assertThat(lines)
        .filteredOn(l -> l.contains("reconnect attempt"))
        .allMatch(
            l -> l.contains("connection refused to 127.0.0.1:" + closedPort), "names the address");
  }

  @Test
  void theAuthFailureHintNamesTheConfigInUse() throws Exception {
    try (DevStudio studio = DevStudio.start()) {
      WorkerCredentials worker = studio.createWorker();
      Path config = WorkerHarness.writeConfig(dir, studio, worker);
      studio.deleteWorker(worker.workerId()); // its token is refused from now on
      try (WorkerHarness harness = WorkerHarness.start(config)) {
        assertThat(harness.awaitExit(WAIT)).isEqualTo(ExitCodes.AUTH_FAILED);
        assertThat(harness.logLines())
            .anyMatch(
                l ->
                    l.contains(
                        "run `studio-worker --config "
                            + config.toAbsolutePath()
                            + " register --reset`"));
      }
    }
  }

  @Test
  void theStandardConfigNeedsNoConfigOption() {
    Map<String, String> env = Map.of("XDG_CONFIG_HOME", dir.toString());
    assertThat(WorkerDaemon.resetCommand(ConfigStore.defaultPath(env), env))
        .isEqualTo("studio-worker register --reset");
    assertThat(WorkerDaemon.resetCommand(dir.resolve("my worker.toml"), env))
        .isEqualTo(
            "studio-worker --config '" + dir.resolve("my worker.toml") + "' register --reset");
  }

  private static List<String> lines(Path log) throws IOException {
    return Files.exists(log) ? Files.readAllLines(log) : List.of();
  }
}
