package org.studioworker.runtime.daemon;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.studioworker.devstudio.DevStudio;
import org.studioworker.devstudio.WorkerCredentials;
import org.studioworker.executors.synthetic.SyntheticExecutorProvider;
import org.studioworker.protocol.LogEntry;
import org.studioworker.runtime.config.ConfigStore;
import org.studioworker.runtime.config.WorkerConfig;
import org.studioworker.runtime.lifecycle.LoopSchedule;
import org.studioworker.runtime.logs.LogSetup;
import org.studioworker.spi.CliDefaults;
import org.studioworker.spi.EngineId;
import org.studioworker.spi.ExecutorProvider;
import org.studioworker.spi.ModelSource;

/**
 * A worker daemon run in-process against a reference studio, with every loop on a millisecond
 * schedule. Tests read the studio's records and the daemon's status board.
 */
public final class WorkerHarness implements AutoCloseable {
  /** Every interval of the standard schedule, a hundred times faster. */
  public static final LoopSchedule FAST =
      new LoopSchedule(
          Duration.ofMillis(100),
          Duration.ofMillis(50),
          Duration.ofMillis(25),
          Duration.ofMillis(50),
          Duration.ofMillis(400),
          Duration.ofSeconds(2),
          Duration.ofSeconds(5),
          Duration.ofMillis(100),
          Duration.ofSeconds(5),
          List.of(Duration.ofMillis(50), Duration.ofMillis(100)));

  /** A model source for the synthetic engine. */
  public static final ModelSource SYNTHETIC =
      new ModelSource(EngineId.SYNTHETIC, List.of(), CliDefaults.of(7.0, 20, 512, 512));

  static {
    LogSetup.install(Map.of(), "test");
  }

  private final WorkerDaemon daemon;
  private final CompletableFuture<Integer> exit = new CompletableFuture<>();
  private final ConfigStore store;

  private WorkerHarness(WorkerDaemon daemon, ConfigStore store) {
    this.daemon = daemon;
    this.store = store;
    Thread.ofVirtual()
        .name("daemon-under-test")
        .start(
            () -> {
              try {
                exit.complete(daemon.run());
              } catch (Throwable t) {
                exit.completeExceptionally(t);
              }
            });
  }

  /** Writes a config pointing at the studio, with credentials when given. */
  public static Path writeConfig(
      Path dir, DevStudio studio, @Nullable WorkerCredentials credentials) throws Exception {
    Path path = dir.resolve("config.toml");
    WorkerConfig config =
        WorkerConfig.defaults()
            .withApiBaseUrl(studio.baseUrl().toString())
            .withModelsRoot(dir.resolve("models").toString());
    if (credentials != null) {
      config = config.withCredentials(credentials.workerId(), credentials.authToken());
    }
    new ConfigStore(path).save(config);
    return path;
  }

  /** Starts a daemon on the config with the synthetic engine. */
  public static WorkerHarness start(Path config) {
    return start(config, List.of(new SyntheticExecutorProvider()), FAST);
  }

  /** Starts a daemon on the config with the given engines and schedule. */
  public static WorkerHarness start(
      Path config, List<ExecutorProvider> engines, LoopSchedule schedule) {
    WorkerDaemon.Options options =
        WorkerDaemon.Options.of(config, Map.of("HOME", config.getParent().toString()))
            .withSchedule(schedule)
            .withSignals(false)
            .withEngines(engines);
    return new WorkerHarness(new WorkerDaemon(options), new ConfigStore(config));
  }

  /** Starts a daemon on the config with the given engines and schedule, and its own idle source. */
  public static WorkerHarness start(
      Path config,
      List<ExecutorProvider> engines,
      LoopSchedule schedule,
      java.util.function.Supplier<org.studioworker.runtime.presence.IdleSource> idleSources) {
    WorkerDaemon.Options options =
        WorkerDaemon.Options.of(config, Map.of("HOME", config.getParent().toString()))
            .withSchedule(schedule)
            .withSignals(false)
            .withEngines(engines);
    return new WorkerHarness(new WorkerDaemon(options, idleSources), new ConfigStore(config));
  }

  /** Starts a daemon with custom options. */
  public static WorkerHarness start(WorkerDaemon.Options options) {
    return new WorkerHarness(new WorkerDaemon(options), new ConfigStore(options.configPath()));
  }

  public WorkerDaemon daemon() {
    return daemon;
  }

  /** The config file as saved now. */
  public WorkerConfig savedConfig() throws Exception {
    return store.load();
  }

  /** Waits for the exit code. */
  public int awaitExit(Duration timeout) throws Exception {
    return exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Whether the daemon has exited. */
  public boolean hasExited() {
    return exit.isDone();
  }

  /** The daemon's display ring, as text lines. */
  public List<String> logLines() {
    return daemon.board().logs().snapshot().stream().map(LogEntry::message).toList();
  }

  /** Asks the daemon to stop at once and waits for it. */
  @Override
  public void close() throws Exception {
    if (!exit.isDone()) {
      daemon.stop().stopNow("test finished");
      awaitExit(Duration.ofSeconds(20));
    }
  }
}
